import Foundation
@testable import FuzzChecks
import MIME
import Testing
import TestSupport

/// The corpora whose targets promise "reads back the same" are read by an independent reader too:
/// Python's `email` package for composed headers, its `punycode` codec for encoded labels.
@Suite struct PythonReadsTheCorpusTests {
    static func corpus(_ name: String) throws -> [[UInt8]] {
        let target = try #require(FuzzTarget.named(name))
        return try FuzzCorpus.files(at: FuzzCorpus.folder(target)).map { Array(try Data(contentsOf: $0)) }
    }

    @Test func composedHeadersReadBackInPythonsEmailParser() async throws {
        var cases: [(fields: MIMEHeaderTarget.Fields, message: [UInt8])] = []
        for input in try Self.corpus("mime-header") {
            let fields = MIMEHeaderTarget.Fields(input)
            guard let message = try? MessageComposer().compose(fields.message) else { continue }
            cases.append((fields, message))
        }
        #expect(cases.count >= 5, "the mime-header corpus has too few messages that compose")
        let parsed = try await TestSupport.parseWithPython(batch: cases.map(\.message))
        for ((fields, _), email) in zip(cases, parsed) {
            let trimmed = MIMEHeaderTarget.trimmed
            #expect(email.bareLF == 0 && email.bareCR == 0 && email.maxLineLength <= 998)
            #expect(email.subject.map(trimmed) == trimmed(fields.subject), "subject \(fields.subject.debugDescription)")
            if let name = fields.displayName, !name.isEmpty {
                #expect(email.fromNames.first?.first == name, "display name \(name.debugDescription)")
            }
            if let value = fields.headerValue {
                #expect(email.headers(named: "X-Fuzz").first.map(trimmed) == trimmed(value), "X-Fuzz \(value.debugDescription)")
            }
            if let filename = fields.filename {
                // Python drops a file name's surrounding spaces, as it does a header value's.
                #expect(email.attachments.first?.filename.map(trimmed) == trimmed(filename), "file name \(filename.debugDescription)")
            }
        }
    }

    @Test func encodedLabelsDecodeInPythonsPunycodeCodec() async throws {
        let labels = try Self.corpus("punycode").map { FuzzBytes.text($0) }.filter { Punycode.encode($0) != nil }
        #expect(labels.count >= 5)
        let encoded = labels.map { Punycode.encode($0)! }
        let script = "import json,sys\nprint(json.dumps([l.encode('ascii').decode('punycode') for l in json.load(sys.stdin)]))"
        let output = try await TestSupport.run([TestSupport.python, "-c", script], input: Array(try JSONEncoder().encode(encoded)))
        let decoded = try JSONDecoder().decode([String].self, from: Data(output))
        #expect(decoded.count == labels.count)
        for (label, back) in zip(labels, decoded) {
            #expect(Array(back.unicodeScalars) == Array(label.unicodeScalars), "label \(label.debugDescription)")
        }
    }
}
