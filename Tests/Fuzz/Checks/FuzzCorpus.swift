import Foundation

/// The inputs kept for each target in `Tests/Fuzz/Corpus/<target>`: hand-written seeds, what the
/// fuzzer found worth keeping, and every crash it found (named `crash-*`, after the fix).
public enum FuzzCorpus {
    /// The corpus folder of the checkout this file was compiled from.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")

    /// The folder of `target`.
    public static func folder(_ target: FuzzTarget) -> URL {
        root.appendingPathComponent(target.name)
    }

    /// The files at `url`: the file itself, or every regular file in the folder, sorted by name.
    public static func files(at url: URL) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [url] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.sorted().map { url.appendingPathComponent($0) }.filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
    }
}
