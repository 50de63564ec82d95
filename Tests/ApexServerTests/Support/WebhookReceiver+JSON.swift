import ApexDomain
import ApexTestSupport

extension WebhookReceiver.Request {
    /// The body as JSON.
    var json: JSONValue { (try? JSONValue.parse(Array(body.utf8))) ?? .null }
}
