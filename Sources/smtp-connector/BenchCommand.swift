import Foundation
import MIME
import SMTP
import SMTPWire

/// `bench`: sends N messages of a given size over C connections and reports throughput.
///
/// Contract (DESIGN.md): one JSON line per message in `--outcomes FILE`
/// (`{"messageId", "outcome": "delivered"|"failed"|"unknown", "reply"}`); the last stdout line is
/// `sent=<delivered> errors=<failed+unknown> inner_s=<seconds>`. A message is retried, on a fresh
/// connection, only when it failed before its body was sent.
struct BenchCommand: CLICommand {
    static let name = "bench"
    static let usage = """
        bench --host H --port P [--tls] [--ca PEM] --messages N --connections C --size BYTES [--fresh] [--outcomes FILE]
                                                throughput: N messages over C pooled connections (--fresh: one each)
        """
    static let options: Set<String> = ["--host", "--port", "--ca", "--messages", "--connections", "--size", "--outcomes"]
    static let flags: Set<String> = ["--tls", "--fresh"]

    let host: String
    let port: Int
    let tls: Bool
    let caPath: String?
    let messages: Int
    let connections: Int
    let size: Int
    let fresh: Bool
    let outcomesPath: String?

    init(arguments: inout ParsedArguments) throws {
        func number(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
            let text = try arguments.required(name)
            guard let value = Int(text), range.contains(value) else {
                throw UsageError(message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        host = try arguments.required("--host")
        port = try number("--port", 1...65535)
        messages = try number("--messages", 1...10_000_000)
        connections = try number("--connections", 1...1000)
        size = try number("--size", 1...100_000_000)
        tls = arguments.flag("--tls")
        fresh = arguments.flag("--fresh")
        caPath = arguments.value("--ca")
        outcomesPath = arguments.value("--outcomes")
    }

    /// What happened to one message.
    struct Outcome: Sendable {
        var messageID: String
        var outcome: String
        var reply: String
    }

    func run() async -> Int32 {
        var configuration = SMTPClientConfiguration(host: host, port: port, security: tls ? .startTLSRequired : .plaintext)
        configuration.timeouts = .init(connection: 30, greeting: 30, socket: 120)
        if let caPath {
            guard let pem = try? String(contentsOfFile: caPath, encoding: .utf8) else {
                Output.error("cannot read --ca \(caPath)")
                return 1
            }
            configuration.tls.trustedCertificatesPEM = pem
        }
        let transport: any SMTPTransport
        let freshClient: SMTPClient
        do {
            freshClient = try SMTPClient(configuration: configuration)
            transport = fresh ? freshClient : try SMTPPool(configuration: configuration, limits: .init(
                maxConnections: connections, maxMessagesPerConnection: Int.max / 2, idleTimeout: 600))
        } catch {
            return Output.fail(error, json: false)
        }
        let body = Self.body(size: size)
        let queue = WorkQueue(total: messages)
        let start = Date()
        let outcomes = await withTaskGroup(of: [Outcome].self) { group -> [Outcome] in
            for _ in 0..<connections {
                group.addTask {
                    var results: [Outcome] = []
                    while let index = await queue.next() {
                        results.append(await Self.deliver(index: index, body: body, transport: transport, retryWith: freshClient))
                    }
                    return results
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        let seconds = Date().timeIntervalSince(start)
        if let pool = transport as? SMTPPool { await pool.close() }
        if let outcomesPath {
            let lines = outcomes.map { outcome -> String in
                let object: [String: String] = ["messageId": outcome.messageID, "outcome": outcome.outcome, "reply": outcome.reply]
                return String(decoding: (try? JSONEncoder.sorted.encode(object)) ?? Data(), as: UTF8.self)
            }
            if !FileManager.default.createFile(atPath: outcomesPath, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) {
                Output.error("cannot write --outcomes \(outcomesPath)")
            }
        }
        let delivered = outcomes.filter { $0.outcome == "delivered" }.count
        print("sent=\(delivered) errors=\(outcomes.count - delivered) inner_s=\(String(format: "%.3f", seconds))")
        return delivered == messages ? 0 : 1
    }

    /// Sends one message; retries (at most twice, on fresh connections) only when it failed before
    /// its body was sent, so no message can arrive twice.
    static func deliver(index: Int, body: String, transport: any SMTPTransport, retryWith client: SMTPClient) async -> Outcome {
        let messageID = "bench-\(index)-\(UUID().uuidString.prefix(8).lowercased())@bench.smtp-connector"
        let message = MailMessage(from: Mailbox("bench@example.test"), to: [Mailbox("sink\(index % 100)@example.test")],
                                  subject: "bench \(index)", text: body, messageID: messageID)
        guard let bytes = try? MessageComposer().compose(message) else {
            return Outcome(messageID: messageID, outcome: "failed", reply: "compose failed")
        }
        let envelope = SMTPEnvelope(from: "bench@example.test", recipients: message.envelopeRecipients)
        var attempt = 0
        while true {
            do {
                let result = try await (attempt == 0 ? transport : client).send(envelope: envelope, message: bytes)
                return Outcome(messageID: messageID, outcome: "delivered", reply: result.response.description)
            } catch let error as SMTPError {
                if error.outcomeUnknown { return Outcome(messageID: messageID, outcome: "unknown", reply: error.description) }
                attempt += 1
                if error.bodyWasSent || error.isPermanent || attempt > 2 {
                    return Outcome(messageID: messageID, outcome: "failed", reply: error.reply?.description ?? error.message)
                }
            } catch {
                return Outcome(messageID: messageID, outcome: "failed", reply: "\(error)")
            }
        }
    }

    /// ASCII text of `size` octets in 76-character lines, so the body goes out as 7bit.
    static func body(size: Int) -> String {
        let line = String(repeating: "0123456789abcdefghij", count: 4).prefix(74) + "\r\n"
        var text = String(repeating: String(line), count: size / line.utf8.count)
        text += String(repeating: "x", count: size % line.utf8.count)
        return text
    }
}

/// Hands out message indexes to the workers.
actor WorkQueue {
    private var nextIndex = 0
    private let total: Int

    init(total: Int) { self.total = total }

    func next() -> Int? {
        guard nextIndex < total else { return nil }
        defer { nextIndex += 1 }
        return nextIndex
    }
}
