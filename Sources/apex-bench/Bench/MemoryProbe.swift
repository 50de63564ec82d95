import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Peak resident memory of this process, per scenario side: ``reset()`` returns freed heap to
/// the system and restarts the kernel's high-water mark (`VmHWM`), ``peakMB()`` reads it.
enum MemoryProbe {
    /// Releases free heap pages and resets `VmHWM` to the current RSS (Linux 4.0+). Returns
    /// whether the reset worked; otherwise the peak is the process's lifetime peak.
    @discardableResult
    static func reset() -> Bool {
        trimHeap()
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// The peak RSS since the last reset, in MiB (`VmHWM`, or `ru_maxrss` where /proc is missing).
    static func peakMB() -> Double {
        if let kb = status("VmHWM") { return kb / 1024 }
        #if canImport(Glibc)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        return 0
        #endif
    }

    /// glibc's `malloc_trim(0)` (not in Swift's Glibc module): gives freed heap back, so the
    /// next scenario's peak is not hidden under the last one's leftovers.
    private static func trimHeap() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// The current RSS in MiB.
    static func currentMB() -> Double { (status("VmRSS") ?? 0) / 1024 }

    private static func status(_ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Double(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}

/// The peak RSS of one side of a scenario: its baseline RSS when it started and its peak.
struct MemoryUse: Codable, Sendable {
    var startMB: Double
    var peakMB: Double

    /// Measures `body`'s peak.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (T, MemoryUse) {
        MemoryProbe.reset()
        let start = MemoryProbe.currentMB()
        let result = try await body()
        return (result, MemoryUse(startMB: start, peakMB: MemoryProbe.peakMB()))
    }
}
