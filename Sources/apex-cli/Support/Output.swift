import ApexDomain
import Foundation

/// Writing results: JSON to standard output, progress to standard error only on a terminal.
enum Output {
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var isStdoutTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func json(_ value: JSONValue) {
        print(CanonicalJSON.string(value))
    }

    static func json<T: Encodable>(_ value: T) throws {
        json(try CanonicalJSON.value(of: value))
    }

    /// A progress line, redrawn in place; nothing when not a TTY or when `quiet`.
    static func progress(_ text: String, quiet: Bool) {
        guard !quiet, isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    static func endProgress(quiet: Bool) {
        guard !quiet, isTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
