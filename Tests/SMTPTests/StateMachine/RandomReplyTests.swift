import NetworkIO
import Testing
import TestSupport
@testable import SMTP
import SMTPWire

/// The state machine fed arbitrary reply sequences, network failures and TLS failures (seeded, so a
/// failure can be replayed). Whatever the server does: no crash, the message data written at most
/// once, "delivered" only after a 2xx that followed the data, and every failure after the data
/// marked as such (outcome unknown when no reply explained it).
@Suite struct RandomReplyTests {
    static let codes = [220, 221, 235, 250, 250, 250, 250, 334, 354, 354, 421, 451, 500, 501, 530, 535, 550, 554]

    /// The reply a well-behaved server would send to `command`.
    static func normalReply(to command: SMTPCommand) -> SMTPReply {
        switch command {
        case .ehlo: SMTPReply(code: 250, lines: ["random.test", "PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN CRAM-MD5", "8BITMIME"])
        case .startTLS: SMTPReply(220, nil, "go")
        case .auth(_, let initial): initial == nil ? SMTPReply(334, nil, "dGVzdA==") : SMTPReply(235, nil, "ok")
        case .authResponse: SMTPReply(235, nil, "ok")
        case .data: SMTPReply(354, nil, "go")
        default: SMTPReply(250, nil, "ok")
        }
    }

    /// One chunk the random server sends: mostly what a good server would say, otherwise any
    /// reply, pieces of one, or garbage.
    static func chunk(_ random: inout SeededGenerator, pending: inout [UInt8], expected: inout [SMTPReply]) -> [UInt8] {
        if pending.isEmpty, !expected.isEmpty, Int.random(in: 0..<10, using: &random) < 9 {
            pending = Array(expected.removeFirst().wireText.utf8)
        }
        if pending.isEmpty {
            if !expected.isEmpty { expected.removeFirst() }
            switch Int.random(in: 0..<20, using: &random) {
            case 0: pending = Array("garbage without a code\r\n".utf8)
            case 1: pending = Array(repeating: UInt8(ascii: "x"), count: Int.random(in: 1...5000, using: &random))
            case 2: pending = Array("250-first\r\n354 changed code\r\n".utf8)
            default:
                let code = codes.randomElement(using: &random)!
                let lines = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                    ["ok", "PIPELINING", "AUTH PLAIN LOGIN CRAM-MD5", "STARTTLS", "SIZE 10", "8BITMIME", "dGVzdA==", "!!"]
                        .randomElement(using: &random)!
                }
                pending = Array(SMTPReply(code: code, lines: lines).wireText.utf8)
            }
        }
        let count = Bool.random(using: &random) ? pending.count : Int.random(in: 1...pending.count, using: &random)
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }

    static func failure(_ random: inout SeededGenerator) -> NetworkError {
        let kinds: [NetworkError.Kind] = [.closed, .io, .timeout, .tls, .certificate, .cancelled]
        return NetworkError(kinds.randomElement(using: &random)!, "simulated")
    }

    @Test func twentyThousandRandomSessionsKeepTheInvariants() async {
        // Seconds of CPU (tens under a sanitizer): on a thread of its own, so that the async tests
        // beside this one (a server's handler Tasks) keep the cooperative pool.
        await OwnThreadExecutor.run { await randomSessions() }
    }

    private func randomSessions() async {
        var random = SeededGenerator(state: 20_261_125)
        var outcomes: [String: Int] = [:]
        for session in 0..<20_000 {
            let security: SMTPClientConfiguration.Security = [.startTLSRequired, .startTLSOpportunistic, .implicitTLS, .plaintext]
                .randomElement(using: &random)!
            var configuration = MachineHarness.configuration(security: security)
            configuration.mechanism = [nil, .plain, .login, .cramMD5].randomElement(using: &random)!
            var machine = SMTPClientStateMachine(configuration: configuration)
            var pending: [UInt8] = []
            var expected = [SMTPReply(220, nil, "random.test ESMTP")]
            var bodies = 0, positiveAfterBody = false, bodyDone = false, dataStarted = false, tls = false, authBeforeTLS = false
            var afterBody = ReplyDecoder()
            var action = machine.connected(localAddressLiteral: "[192.0.2.1]")
            var sending = false
            steps: for _ in 0..<2_000 {
                switch action {
                case .send(let commands):
                    if commands.contains(where: { if case .auth = $0 { return true } else { return false } }), !tls { authBeforeTLS = true }
                    expected += commands.map(Self.normalReply)
                    action = Int.random(in: 0..<30, using: &random) == 0 ? machine.ioFailed(Self.failure(&random)) : .read(.socket)
                case .read:
                    if Int.random(in: 0..<25, using: &random) == 0 {
                        action = machine.ioFailed(Self.failure(&random))
                    } else {
                        let bytes = Self.chunk(&random, pending: &pending, expected: &expected)
                        if bodyDone {
                            // What the server said after the data, decoded on its own.
                            afterBody.feed(bytes)
                            while let reply = try? afterBody.next() { positiveAfterBody = positiveAfterBody || reply.isPositive }
                        }
                        action = machine.received(bytes)
                    }
                case .startTLS:
                    if Int.random(in: 0..<6, using: &random) == 0 {
                        action = machine.ioFailed(Self.failure(&random))
                    } else {
                        tls = true
                        pending = []
                        expected = []
                        action = machine.tlsEstablished(version: "TLSv1.3")
                    }
                case .sendBody(let bytes):
                    let isData = bytes != Array(".\r\n".utf8)
                    if isData { bodies += 1; dataStarted = true }
                    expected.append(SMTPReply(250, nil, "queued"))
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        action = machine.ioFailed(Self.failure(&random))  // the write failed part-way
                    } else {
                        if isData { bodyDone = true }  // all of the data, "." included, went out
                        action = machine.bodyWritten()
                    }
                case .finish(let outcome):
                    #expect(machine.isReady, "session \(session)")
                    if !sending, case .opened = outcome {
                        sending = true
                        action = machine.send(envelope: SMTPEnvelope(from: "a@example.test", recipients: ["b@example.org", "c@example.org"]),
                                              message: Array("Subject: t\r\n\r\nbody\r\n".utf8))
                        continue steps
                    }
                    check(outcome, session: session, bodies: bodies, dataStarted: dataStarted, bodyDone: bodyDone, positiveAfterBody: positiveAfterBody)
                    outcomes[Self.name(outcome), default: 0] += 1
                    break steps
                case .close(let outcome, _):
                    #expect(machine.isClosed, "session \(session)")
                    check(outcome, session: session, bodies: bodies, dataStarted: dataStarted, bodyDone: bodyDone, positiveAfterBody: positiveAfterBody)
                    outcomes[Self.name(outcome), default: 0] += 1
                    break steps
                }
            }
            #expect(!(security == .startTLSRequired && authBeforeTLS), "session \(session) sent AUTH before TLS")
        }
        // The random server reached every kind of ending, so the invariants were exercised.
        for kind in ["delivered", "failed-before-data", "failed-after-data", "unknown-after-data"] {
            #expect((outcomes[kind] ?? 0) > 0, "no session ended as \(kind): \(outcomes)")
        }
    }

    private func check(_ outcome: SMTPClientStateMachine.Outcome, session: Int, bodies: Int, dataStarted: Bool, bodyDone: Bool,
                       positiveAfterBody: Bool) {
        #expect(bodies <= 1, "session \(session) wrote the data \(bodies) times")
        switch outcome {
        case .delivered:
            #expect(bodyDone && positiveAfterBody, "session \(session) delivered without a 2xx after the data")
        case .failed(let error):
            #expect(error.bodyWasSent == dataStarted, "session \(session): bodyWasSent \(error.bodyWasSent), data started \(dataStarted)")
            if bodyDone, error.reply == nil {
                #expect(error.outcomeUnknown, "session \(session): a failure after the data without a reply must be outcome unknown: \(error)")
            }
            // Until all of the data is written the server cannot have accepted it: not unknown.
            if !bodyDone { #expect(!error.outcomeUnknown, "session \(session)") }
        default:
            break
        }
    }

    static func name(_ outcome: SMTPClientStateMachine.Outcome) -> String {
        switch outcome {
        case .delivered: "delivered"
        case .failed(let error) where error.outcomeUnknown: "unknown-after-data"
        case .failed(let error) where error.bodyWasSent: "failed-after-data"
        case .failed: "failed-before-data"
        default: "other"
        }
    }
}
