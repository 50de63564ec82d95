import Foundation

/// The permission bits of a file or folder (`stat`), for the tests that check 0600 and 0700.
func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
