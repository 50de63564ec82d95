import Foundation

/// The machine a run measured on, printed with every result.
struct MachineInfo: Codable, Sendable {
    var cpuModel: String
    var processors: Int
    /// Total memory in GiB.
    var memoryGigabytes: Double
    var kernel: String
    var loadAverage: [Double]
    var build: String
    var workDirectory: String
    var filesystem: String

    static func current(workDirectory: String) -> MachineInfo {
        MachineInfo(
            cpuModel: cpuModel(), processors: ProcessInfo.processInfo.activeProcessorCount,
            memoryGigabytes: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            kernel: ProcessInfo.processInfo.operatingSystemVersionString, loadAverage: loadAverage(), build: build,
            workDirectory: workDirectory, filesystem: filesystem(of: workDirectory))
    }

    /// `release` or `debug` (debug numbers say little; ratios still compare like with like).
    static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// The 1, 5 and 15 minute load averages (how busy the shared machine was).
    static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }

    /// The file system holding `path` and its mount options, from /proc/mounts.
    static func filesystem(of path: String) -> String {
        guard let text = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "unknown" }
        var best: (mount: String, description: String) = ("", "unknown")
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 4 else { continue }
            let mount = String(f[1])
            let inside = path == mount || path.hasPrefix(mount.hasSuffix("/") ? mount : mount + "/")
            if inside && mount.count >= best.mount.count { best = (mount, "\(f[2]) on \(mount) (\(f[3]))") }
        }
        return best.description
    }
}
