/// One fuzz target: a name for `scripts/fuzz.sh` and a check that feeds arbitrary bytes to one piece of
/// the library and throws ``InvariantViolation`` when a promise that piece makes is broken.
///
/// A crash (a trap, an out-of-bounds access, ASan's report) is a finding too: libFuzzer stops on it.
/// The same checks run over the committed corpus in `FuzzChecksTests`, so every input the fuzzer
/// ever kept, and every crash it found, stays a regression test in the ordinary suite.
public struct FuzzTarget: Sendable {
    /// The name `scripts/fuzz.sh` and the corpus folder (`Tests/Fuzz/Corpus/<name>`) use.
    public let name: String
    /// What the target feeds and what it checks.
    public let summary: String
    /// Runs one input.
    public let check: @Sendable ([UInt8]) throws -> Void

    /// Every target, in the order `scripts/fuzz.sh` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "reply-decoder",
                   summary: "SMTPWire's reply decoder: any bytes, whole or in pieces, decode to the same replies within the limits",
                   check: ReplyDecoderTarget.check),
        FuzzTarget(name: "command-parser",
                   summary: "SMTPWire's command parser (the DevServer's side): a parsed line encodes safely and reads back the same",
                   check: CommandParserTarget.check),
        FuzzTarget(name: "client-state-machine",
                   summary: "the client state machine fed arbitrary replies: it ends, never sends a body twice, never AUTH or MAIL before TLS when TLS is required",
                   check: ClientStateMachineTarget.check),
        FuzzTarget(name: "config",
                   summary: "JSON config parsing, preset merge and validation: no crash, round trip, no secret quoted in an issue",
                   check: ConfigTarget.check),
        FuzzTarget(name: "template",
                   summary: "the template renderer: one pass, HTML values escaped, header values free of control characters",
                   check: TemplateTarget.check),
        FuzzTarget(name: "mime-header",
                   summary: "the MIME header and encoded-word writer: lines of at most 998 octets, CRLF only, decoding gives the input back",
                   check: MIMEHeaderTarget.check),
        FuzzTarget(name: "punycode",
                   summary: "punycode and international domains: ASCII output that decodes back to the input",
                   check: PunycodeTarget.check),
        FuzzTarget(name: "http-request",
                   summary: "the console's HTTP request parser: the same requests whole or in pieces, bodies of their declared length",
                   check: HTTPRequestTarget.check),
    ]

    /// The target called `name`.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// A promise of the code under test that an input broke.
public struct InvariantViolation: Error, CustomStringConvertible {
    /// What was expected and what happened.
    public let message: String
    /// The message.
    public var description: String { "invariant broken: \(message)" }
}

/// Throws ``InvariantViolation`` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw InvariantViolation(message: message()) }
}

/// Splits fuzz bytes into the pieces a target needs.
struct FuzzBytes {
    /// The separator between fields: 0xFF never appears in UTF-8 text, so fields stay free to hold any text.
    static let separator: UInt8 = 0xFF

    /// `data` cut at every 0xFF.
    static func fields(_ data: some Collection<UInt8>) -> [[UInt8]] {
        Array(data).split(separator: separator, omittingEmptySubsequences: false).map { Array($0) }
    }

    /// `data` as text; invalid UTF-8 becomes U+FFFD, as when a real input is decoded.
    static func text(_ data: [UInt8]) -> String {
        String(decoding: data, as: UTF8.self)
    }

    /// `data` in pieces of `size` bytes (the last may be shorter).
    static func pieces(_ data: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: data.count, by: max(1, size)).map { Array(data[$0..<min($0 + max(1, size), data.count)]) }
    }
}

/// Where two texts first differ, with a little context on each side, for invariant messages.
func firstDifference(_ expected: String, _ actual: String?) -> String {
    guard let actual else { return "expected \(expected.prefix(80).debugDescription), got nothing" }
    let left = Array(expected.unicodeScalars), right = Array(actual.unicodeScalars)
    let common = zip(left, right).prefix { $0 == $1 }.count
    func excerpt(_ scalars: [Unicode.Scalar]) -> String {
        String(String.UnicodeScalarView(scalars[max(0, common - 20)..<min(scalars.count, common + 20)])).debugDescription
    }
    return "\(left.count) and \(right.count) code points, first different at \(common): expected \(excerpt(left)), got \(excerpt(right))"
}
