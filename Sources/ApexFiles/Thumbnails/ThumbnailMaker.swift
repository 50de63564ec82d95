import ApexChildProcess
public import ApexDomain
public import Foundation

/// Makes a PNG preview of at most ``FileThumbnail/maximumSide`` pixels a side from a file on
/// disk, with `vipsthumbnail` (libvips: JPEG, PNG, WebP, TIFF, GIF) or `pdftoppm` (poppler: the
/// first page of a PDF), run as child processes with a time limit. A missing tool, a failing or
/// slow conversion, or an output that is not a small PNG yields nil: no thumbnail, never an error.
public struct ThumbnailMaker: Sendable {
    /// What a conversion produced: the PNG in `path` and its size in pixels.
    public struct Made: Sendable, Hashable {
        /// The PNG file (in the folder the caller gave).
        public var path: String
        /// Pixels.
        public var width: Int
        /// Pixels.
        public var height: Int
    }

    /// Why a conversion made nothing (for the log).
    public enum Skipped: Error, Sendable, Hashable {
        /// The media type has no converter.
        case unsupported(String)
        /// The tool is not installed (not in `PATH`).
        case missingTool(String)
        /// The tool failed, ran out of time, or wrote something that is not a small PNG.
        case failed(String)
    }

    /// The media types libvips reads.
    public static let imageTypes: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/tiff", "image/gif"]
    /// The longest a conversion may run.
    public var timeLimit: Duration = .seconds(30)
    /// Where the tools are looked for (`PATH` by default).
    public var searchPath: [String]

    /// A maker looking for the tools in `PATH`.
    public init() {
        searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// Whether a file of `contentType` (parameters ignored) has a converter.
    public static func supports(_ contentType: String) -> Bool {
        let essence = Self.essence(contentType)
        return essence == "application/pdf" || imageTypes.contains(essence)
    }

    static func essence(_ contentType: String) -> String {
        String(contentType.split(separator: ";", maxSplits: 1)[0]).trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Converts `source` (of `contentType`) into a PNG in `folder`.
    public func make(from source: String, contentType: String, in folder: String) async -> Result<Made, Skipped> {
        let essence = Self.essence(contentType)
        let side = FileThumbnail.maximumSide
        let tool: String, arguments: [String], output: String
        if essence == "application/pdf" {
            tool = "pdftoppm"
            output = folder + "/page.png"
            arguments = ["-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", "\(side)", source, folder + "/page"]
        } else if Self.imageTypes.contains(essence) {
            tool = "vipsthumbnail"
            output = folder + "/thumb.png"
            // `>`: only shrink; a small image keeps its size.
            arguments = [source, "--size", "\(side)x\(side)>", "-o", output]
        } else {
            return .failure(.unsupported(essence))
        }
        guard let executable = searchPath.lazy.map({ $0 + "/" + tool }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return .failure(.missingTool(tool))
        }
        do {
            let limit = timeLimit
            let (timedOut, termination) = try await ChildProcess.withRunning(executable, arguments, in: folder) { running in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        for try await _ in running.output {}
                        return false
                    }
                    group.addTask {
                        try await Task.sleep(for: limit)
                        return true
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? true
                }
            }
            guard !timedOut else { return .failure(.failed("\(tool) ran longer than \(limit)")) }
            guard termination == .exited(0) else { return .failure(.failed("\(tool) ended with \(termination)")) }
        } catch {
            return .failure(.failed("\(tool) could not run: \(error)"))
        }
        guard let handle = FileHandle(forReadingAtPath: output) else { return .failure(.failed("\(tool) wrote no image")) }
        defer { try? handle.close() }
        guard let size = PNGHeader.size(of: (try? handle.read(upToCount: 24)) ?? Data()),
            (1...side).contains(size.width), (1...side).contains(size.height)
        else { return .failure(.failed("\(tool) wrote something other than a PNG of at most \(side) px")) }
        return .success(Made(path: output, width: size.width, height: size.height))
    }
}

/// The size a PNG's header (its first 24 bytes: signature and `IHDR`) gives.
public enum PNGHeader {
    /// The PNG file signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Width and height, or nil when `bytes` do not start a PNG.
    public static func size(of bytes: Data) -> (width: Int, height: Int)? {
        let b = [UInt8](bytes.prefix(24))
        guard b.count == 24, Array(b[0..<8]) == signature, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        func int(_ at: Int) -> Int { b[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }
}
