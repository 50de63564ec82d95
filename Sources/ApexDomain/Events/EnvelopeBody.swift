import Synchronization

/// The parts of an envelope held as JSON: the payload, the actor and the request metadata.
package struct EnvelopeParts: Sendable, Hashable {
    /// The change itself.
    package var data: JSONValue
    /// Who did it.
    package var actor: Actor
    /// Where the request came from.
    package var requestMetadata: RequestMetadata

    /// The parts.
    package init(data: JSONValue, actor: Actor, requestMetadata: RequestMetadata) {
        self.data = data
        self.actor = actor
        self.requestMetadata = requestMetadata
    }
}

/// An envelope's JSON parts as a store keeps them: canonical texts, and how their personal
/// values are opened once decoded.
package struct StoredParts: Sendable {
    /// The `data` column.
    package var data: String
    /// The `actor` column.
    package var actor: String
    /// The `request_metadata` column.
    package var requestMetadata: String
    /// Applied to each personal value decoded: the store's opening (nil: read as stored).
    package var open: (@Sendable (Personal) -> Personal)?

    /// Stored texts, decoded as they are or with their personal values passed through `open`.
    package init(data: String, actor: String, requestMetadata: String, open: (@Sendable (Personal) -> Personal)?) {
        self.data = data
        self.actor = actor
        self.requestMetadata = requestMetadata
        self.open = open
    }
}

/// Holds an envelope's parts, as values or as stored texts that are decoded (and opened) each on
/// its first access and then kept: a reader that looks only at positions, streams and types
/// decodes nothing, and a fold that reads only the payload decodes only the payload.
///
/// The texts are canonical JSON (the reader checks this before deferring), so parsing them
/// cannot fail. Request metadata of a shape Apex never writes, only possible when a row was
/// altered in the database (which `verify` reports), reads as none rather than failing a read
/// that has already returned.
final class EnvelopeBody: Sendable {
    /// The texts the parts come from, when read from a store.
    let stored: StoredParts?
    private let data: Mutex<JSONValue?>
    private let actor: Mutex<Actor?>
    private let requestMetadata: Mutex<RequestMetadata?>

    /// Parts already decoded.
    init(_ parts: EnvelopeParts) {
        stored = nil
        data = Mutex(parts.data)
        actor = Mutex(parts.actor)
        requestMetadata = Mutex(parts.requestMetadata)
    }

    /// Parts decoded from `stored` when first asked for.
    init(_ stored: StoredParts) {
        self.stored = stored
        data = Mutex(nil)
        actor = Mutex(nil)
        requestMetadata = Mutex(nil)
    }

    /// The payload.
    var dataValue: JSONValue {
        cached(data) { stored in
            let value = (try? JSONValue.parse(stored.data)) ?? .null
            return stored.open.map { value.mappingPersonal($0) } ?? value
        }
    }

    /// The actor.
    var actorValue: Actor {
        cached(actor) { stored in
            (try? JSONValue.parse(stored.actor)).map(Actor.init(json:)) ?? Actor(userID: nil, onBehalfOf: nil, service: nil)
        }
    }

    /// The request metadata.
    var requestMetadataValue: RequestMetadata {
        cached(requestMetadata) { stored in
            let value = (try? JSONValue.parse(stored.requestMetadata)).flatMap { try? RequestMetadata(json: $0) } ?? .none
            return stored.open.map { value.mappingPersonal($0) } ?? value
        }
    }

    /// All three.
    var parts: EnvelopeParts { EnvelopeParts(data: dataValue, actor: actorValue, requestMetadata: requestMetadataValue) }

    /// The cached value, or the one `decode` makes from the stored texts (then cached). Only a
    /// body made from stored texts starts with nothing cached.
    private func cached<T: Sendable>(_ cache: borrowing Mutex<T?>, _ decode: (StoredParts) -> T) -> T {
        cache.withLock { cached in
            if let cached { return cached }
            let value = decode(stored!)
            cached = value
            return value
        }
    }
}
