import Foundation
import FuzzChecks
import Testing

/// Every input the fuzzers keep (seeds, what they found worth keeping, and each crash, after its
/// fix) runs through the same checks in the ordinary suite: a finding stays a regression test.
@Suite struct CorpusReplayTests {
    @Test(arguments: FuzzTarget.all.map(\.name))
    func theCorpusPassesItsChecks(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let files = FuzzCorpus.files(at: FuzzCorpus.folder(target))
        #expect(files.count >= 4, "the corpus of \(name) is missing or nearly empty")
        for file in files {
            do {
                try target.check(Array(try Data(contentsOf: file)))
            } catch {
                Issue.record("\(name)/\(file.lastPathComponent): \(error)")
            }
        }
    }
}
