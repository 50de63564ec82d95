/// The keys a ``BackupTarget`` reads and writes, and the file names a manifest lists, checked
/// before use: backup storage may be written by someone else, and a name such as `../../x`
/// must never reach a folder or bucket outside the backup.
enum BackupKey {
    /// A relative key of plain segments: `base/<id>/manifest.json`, `segments/…`. No empty, `.`
    /// or `..` segment, no leading `/`, no backslash, no NUL or other control character.
    static func validate(_ key: String) throws {
        guard !key.isEmpty, !key.hasPrefix("/"), key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPlainSegment) else {
            throw BackupError(.invalidKey, "'\(printable(key))' is not a backup key: keys are relative paths of plain names, without '.', '..', '//' or a leading '/'")
        }
    }

    /// One file name inside a base backup's folder, as a manifest lists it: a plain segment.
    static func validateFileName(_ name: String, backup id: String) throws {
        guard isPlainSegment(Substring(name)), !name.contains("/") else {
            throw BackupError(.corrupt, "base backup \(printable(id)) lists the file name '\(printable(name))', which is not a plain file name inside the backup: the manifest was altered")
        }
    }

    private static func isPlainSegment(_ segment: Substring) -> Bool {
        !segment.isEmpty && segment != "." && segment != ".."
            && !segment.unicodeScalars.contains { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The name with control characters shown as `\u{…}`, for an error message.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined().prefix(200))
    }
}
