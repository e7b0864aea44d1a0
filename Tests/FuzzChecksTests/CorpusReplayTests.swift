import Foundation
import FuzzChecks
import Testing

/// Every input the fuzzers keep (seeds, what they found worth keeping, and each crash, after its
/// fix) runs through the same checks in the ordinary suite: a finding stays a regression test.
@Suite struct CorpusReplayTests {
    @Test(arguments: FuzzTarget.all.map(\.name))
    func theCorpusPassesItsChecks(_ name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let files = FuzzCorpus.files(at: FuzzCorpus.folder(target))
        #expect(files.count >= 4, "the corpus of \(name) is missing or nearly empty")
        // Seconds of CPU on a busy machine: on a thread of its own, not on the cooperative pool that
        // the tests running beside this one need.
        let failures = await Self.offThePool {
            files.compactMap { file -> String? in
                do {
                    try target.check(Array(try Data(contentsOf: file)))
                    return nil
                } catch {
                    return "\(name)/\(file.lastPathComponent): \(error)"
                }
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
    }

    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
