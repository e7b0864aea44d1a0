import Foundation

/// This process's memory and descriptors, from /proc (Linux).
enum ProcessStats {
    /// Resident memory now (VmRSS), in KiB.
    static var residentKiB: Int { status("VmRSS") }
    /// The most resident memory so far (VmHWM), in KiB.
    static var peakResidentKiB: Int { status("VmHWM") }

    /// Open file descriptors.
    static var openDescriptors: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1  // the listing's own
    }

    private static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return -1 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
}
