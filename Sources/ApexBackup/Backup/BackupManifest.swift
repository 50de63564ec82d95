public import Foundation

/// What a base backup holds, written beside it as `manifest.json`.
public struct BackupManifest: Sendable, Hashable, Codable {
    /// A file of the backup and its SHA-256.
    public struct File: Sendable, Hashable, Codable {
        /// The key, relative to the backup's folder.
        public var name: String
        /// SHA-256 (hex) of the stored bytes.
        public var sha256: String
        /// Size in bytes.
        public var bytes: Int
    }

    /// A stream's head at backup time.
    public struct Head: Sendable, Hashable, Codable {
        /// Last version.
        public var version: Int64
        /// Last hash.
        public var hash: String
    }

    /// `apex-backup/1`.
    public var format = "apex-backup/1"
    /// The backup's id (its folder under `base/`).
    public var id: String
    /// `sqlite` or `postgres`.
    public var storeKind: String
    /// The store's schema version.
    public var schemaVersion: Int
    /// The last global position the backup holds.
    public var lastPosition: Int64
    /// When that event was recorded (for point-in-time restores).
    public var lastRecordedAt: Date?
    /// Every stream's head.
    public var chainHeads: [String: Head]
    /// The latest checkpoint's position and digest, if any.
    public var latestCheckpoint: LatestCheckpoint?
    /// The files and their hashes.
    public var files: [File]
    /// How many distinct file blobs its events name, each kept once at `blobs/<sha256>` of the
    /// destination (nil: taken without blobs, or before backups carried them).
    public var blobs: Int?
    /// When the backup was taken.
    public var createdAt: Date
    /// The Apex version that wrote it.
    public var apexVersion: String

    /// A checkpoint reference.
    public struct LatestCheckpoint: Sendable, Hashable, Codable {
        /// Its position.
        public var position: Int64
        /// Its digest.
        public var digest: String
    }

    enum CodingKeys: String, CodingKey {
        case format, id, files, blobs
        case storeKind = "store_kind"
        case schemaVersion = "schema_version"
        case lastPosition = "last_position"
        case lastRecordedAt = "last_recorded_at"
        case chainHeads = "chain_heads"
        case latestCheckpoint = "latest_checkpoint"
        case createdAt = "created_at"
        case apexVersion = "apex_version"
    }
}

/// A shipped segment of the log: the events in (`from`, `to`], as stored, beside `segments/<from>-<to>.jsonl.gz`.
public struct SegmentInfo: Sendable, Hashable, Codable {
    /// Events after this position…
    public var from: Int64
    /// …up to and including this one.
    public var to: Int64
    /// Number of events.
    public var count: Int
    /// SHA-256 of the compressed file.
    public var sha256: String
    /// The first and last event's recorded time.
    public var firstRecordedAt: Date
    /// The last event's recorded time.
    public var lastRecordedAt: Date
    /// When it was shipped.
    public var createdAt: Date

    /// The segment's data key.
    public var dataKey: String { "segments/\(Self.pad(from))-\(Self.pad(to)).jsonl.gz" }
    /// The segment's info key.
    public var infoKey: String { "segments/\(Self.pad(from))-\(Self.pad(to)).json" }

    static func pad(_ n: Int64) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 12 - s.count)) + s
    }

    enum CodingKeys: String, CodingKey {
        case from, to, count, sha256
        case firstRecordedAt = "first_recorded_at"
        case lastRecordedAt = "last_recorded_at"
        case createdAt = "created_at"
    }
}

/// The Apex version written into manifests.
public let apexVersion = "0.1.0"
