import ConnectorKit
import Foundation
import MIME
import SMTP
import SMTPConnector
import StandardConnectors
import Synchronization

/// One way `bench` sends a message.
protocol BenchSender: Sendable {
    /// Sends message number `index`: its Message-ID, "delivered", "failed" or "unknown", and the reply.
    func send(index: Int) async -> (messageID: String, outcome: String, reply: String)
    /// Ends the run: QUIT pooled connections.
    func close() async
}

/// Messages straight to an ``SMTPClient`` (`--fresh`) or ``SMTPPool``.
struct TransportSender: BenchSender {
    /// What is sent.
    enum Message: Sendable {
        /// One message composed once (`--raw`), as smtp-source sends one blob.
        case once(size: Int)
        /// A full MIME message composed for every send: unique Message-ID, Date, headers.
        case perSend(size: Int)
    }

    private let transport: any SMTPTransport
    private let retryClient: SMTPClient
    private let body: String
    private let composedOnce: [UInt8]?

    init(configuration: SMTPClientConfiguration, connections: Int, fresh: Bool, message: Message) throws {
        retryClient = try SMTPClient(configuration: configuration)
        transport = fresh ? retryClient : try SMTPPool(configuration: configuration, limits: .init(
            maxConnections: connections, maxMessagesPerConnection: Int.max / 2, idleTimeout: 600))
        switch message {
        case .once(let size):
            body = Self.body(size: size)
            composedOnce = try MessageComposer().compose(Self.message(index: 0, body: body))
        case .perSend(let size):
            body = Self.body(size: size)
            composedOnce = nil
        }
    }

    func send(index: Int) async -> (messageID: String, outcome: String, reply: String) {
        let message = Self.message(index: index, body: body)
        let bytes: [UInt8]
        if let composedOnce {
            bytes = composedOnce
        } else {
            guard let composed = try? MessageComposer().compose(message) else { return (message.messageID, "failed", "compose failed") }
            bytes = composed
        }
        let envelope = SMTPEnvelope(from: "bench@example.test", recipients: message.envelopeRecipients)
        var attempt = 0
        while true {
            do {
                let result = try await (attempt == 0 ? transport : retryClient).send(envelope: envelope, message: bytes)
                return (message.messageID, "delivered", result.response.description)
            } catch let error as SMTPError {
                if error.outcomeUnknown { return (message.messageID, "unknown", error.description) }
                attempt += 1
                // Retried only when none of the data was written, so no message can arrive twice.
                if error.bodyWasSent || error.isPermanent || attempt > 2 {
                    return (message.messageID, "failed", error.reply?.description ?? error.message)
                }
            } catch {
                return (message.messageID, "failed", "\(error)")
            }
        }
    }

    func close() async {
        if let pool = transport as? SMTPPool { await pool.shutdown() }
    }

    static func message(index: Int, body: String) -> MailMessage {
        MailMessage(from: Mailbox("bench@example.test"), to: [Mailbox("sink\(index % 100)@example.test")],
                    subject: "bench \(index)", text: body,
                    messageID: "bench-\(index)-\(UInt32.random(in: 0...UInt32.max))@bench.smtp-connector")
    }

    /// ASCII text of `size` octets in 76-character lines, so the body goes out as 7bit.
    static func body(size: Int) -> String {
        let line = String(repeating: "0123456789abcdefghij", count: 4).prefix(74) + "\r\n"
        var text = String(repeating: String(line), count: size / line.utf8.count)
        text += String(repeating: "x", count: size % line.utf8.count)
        return text
    }
}

/// `send` calls on the connector a config file describes: the Generic template with a distinct code
/// each time, through the connector's own pool.
struct ConnectorSender: BenchSender {
    private let connector: any EmailConnector
    private let to: String
    private let counter: EventCounter?

    init(config: ConfigValue, to: String, events: BenchCommand.EventMode) throws {
        let handler: ConnectorEventHandler
        switch events {
        case .none:
            counter = nil
            handler = .none
        case .print:
            counter = nil
            handler = EventPrinter.handler(enabled: true)
        case .count:
            let counter = EventCounter()
            self.counter = counter
            handler = ConnectorEventHandler { _ in counter.add() }
        }
        let registry = ConnectorRegistry.standard(presets: .standard, events: handler)
        let (id, connectorConfig) = ConnectorRegistry.selection(for: config)
        connector = try registry.makeConnector(id: id, config: connectorConfig)
        self.to = to
    }

    /// Events seen with `--count-events`.
    var countedEvents: Int? { counter?.count }

    func send(index: Int) async -> (messageID: String, outcome: String, reply: String) {
        let code = String(format: "%06d", index % 1_000_000)
        do {
            let receipt = try await connector.send(EmailRequest(to: to, usageType: .generic, payload: ["code": .string(code)]))
            return (receipt.messageID, "delivered", receipt.response)
        } catch let error as ConnectorError {
            return ("bench-\(index)", error.code == .outcomeUnknown ? "unknown" : "failed", error.reply?.description ?? error.message)
        } catch {
            return ("bench-\(index)", "failed", "\(error)")
        }
    }

    func close() async {
        await connector.shutdown()
    }
}

/// Counts events for `--count-events`.
final class EventCounter: Sendable {
    private let total = Atomic<Int>(0)

    func add() { total.add(1, ordering: .relaxed) }

    var count: Int { total.load(ordering: .relaxed) }
}
