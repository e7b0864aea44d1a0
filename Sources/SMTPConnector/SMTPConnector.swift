import ConnectorKit
import DKIM
import Foundation
import MIME
import NetworkIO
import SMTP
import SMTPWire

/// The `smtp` connector: renders a template, composes the message and delivers it over SMTP.
public struct SMTPConnector: DiagnosableConnector {
    /// Metadata with id "smtp".
    public static let metadata = ConnectorMetadata(
        id: "smtp", name: "SMTP",
        description: "Sends email through any SMTP server (Gmail, SendGrid, Aliyun DirectMail, your own relay).",
        documentationURL: "https://docs.logto.io/integrations/smtp",
        formItems: formItems)

    /// Metadata with id "smtp".
    public var metadata: ConnectorMetadata { Self.metadata }
    /// The parsed configuration.
    public let config: SMTPConnectorConfig
    private let client: SMTPClient
    /// Where messages go: the client itself, or a pool over the same configuration.
    private let transport: any SMTPTransport
    private let builder: MessageBuilder
    private let inFlight = InFlightSends()
    private let events: SMTPEventReporter

    /// Builds a connector from a parsed configuration.
    /// - Parameters:
    ///   - config: the configuration.
    ///   - log: receives the SMTP transcript (secrets masked) when `logger` or `debug` is on.
    ///   - tokenProvider: returns an OAuth2 access token for a user name, for `auth.type: "oauth2"`
    ///     configs without a fixed `accessToken`. Asked before each connection.
    ///   - events: receives what the connector does (sends, connections, TLS, phases with their
    ///     durations; the transcript too when `logger` or `debug` is on). Default: nowhere.
    /// - Throws: ``ConnectorError`` when the TLS settings cannot be loaded.
    public init(config: SMTPConnectorConfig, log: (@Sendable (String) -> Void)? = nil,
                tokenProvider: (@Sendable (String) async throws -> String)? = nil,
                events: ConnectorEventHandler = .none) throws {
        self.config = config
        let reporter = SMTPEventReporter(handler: events, connector: config.preset?.id ?? Self.metadata.id,
                                         host: config.host, port: config.port)
        self.events = reporter
        let sink = log ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        do {
            let clientConfiguration = config.clientConfiguration(
                transcript: { line in
                    sink("smtp \(line)")
                    reporter.transcript(line)
                },
                tokenProvider: tokenProvider, events: reporter)
            client = try SMTPClient(configuration: clientConfiguration)
            if let limits = config.pool ?? config.warmLimits(connections: clientConfiguration.executor.maxThreads) {
                transport = try SMTPPool(configuration: clientConfiguration, limits: limits)
            } else {
                transport = client
            }
        } catch let error as SMTPError {
            throw ConnectorError(.invalidConfig, error.message, phase: .config, hint: error.hint)
        }
        builder = try MessageBuilder(from: config.from, replyTo: config.replyTo, templates: config.templates,
                                     customHeaders: config.customHeaders, disableFileAccess: config.disableFileAccess,
                                     dkim: config.dkim)
    }

    /// Renders, composes and sends the email for `request`.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        try inFlight.enter()
        defer { inFlight.leave() }
        let started = ContinuousClock.now
        var messageID: String?
        do {
            let (message, bytes) = try await builder.build(request)
            messageID = message.messageID
            events.sends.started(messageID: message.messageID, usageType: request.usageType.rawValue,
                           recipients: message.envelopeRecipients.count)
            let receipt = try await deliver(message, bytes: bytes)
            events.sends.delivered(messageID: message.messageID, usageType: request.usageType.rawValue,
                             rejected: receipt.rejected.count, after: started.duration(to: .now))
            return receipt
        } catch let error as ConnectorError {
            events.sends.failed(error, messageID: messageID, usageType: request.usageType.rawValue, after: started.duration(to: .now))
            throw error
        }
    }

    private func deliver(_ message: MailMessage, bytes: [UInt8]) async throws -> SendReceipt {
        do {
            let envelope = SMTPEnvelope(from: config.from.wireAddress, recipients: message.envelopeRecipients)
            let result = try await transport.send(envelope: envelope, message: bytes)
            return SendReceipt(
                messageID: message.messageID, accepted: result.accepted,
                rejected: result.rejected.map {
                    .init(address: $0.recipient,
                          reply: .init(code: $0.reply.code, enhancedCode: $0.reply.enhancedCode, text: $0.reply.text))
                },
                response: result.response.description,
                envelope: .init(from: envelope.from, to: envelope.recipients))
        } catch let error as SMTPError {
            throw ConnectorError(error, preset: config.preset)
        }
    }

    /// Whether ``shutdown()`` was called: every send from then on fails at once.
    public var isShutDown: Bool { inFlight.isShutDown }

    /// Refuses new sends at once, lets those in flight finish, then QUITs pooled connections.
    public func shutdown() async {
        await inFlight.shutDown()
        if let pool = transport as? SMTPPool { await pool.shutdown() }
    }

    /// Probes the server step by step (DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH, MAIL FROM
    /// `fromEmail`, RSET, QUIT) without sending anything; each failed step carries its fix, in the
    /// preset's words when the preset knows what its provider's reply means.
    public func diagnose() async -> ConnectorDiagnosis {
        let diagnosis = await client.diagnose(sender: config.from.wireAddress)
        return ConnectorDiagnosis(steps: diagnosis.steps.map { step in
            var hint = step.hint
            if step.status == .fail, let preset = config.preset, let reply = step.reply,
               let presetHint = preset.hint(forReplyCode: reply.code, enhancedCode: reply.enhancedCode, text: reply.text) {
                hint = presetHint
            }
            return ConnectorDiagnosis.Step(name: step.name.rawValue, status: ConnectorDiagnosis.Status(rawValue: step.status.rawValue) ?? .fail,
                                           milliseconds: step.milliseconds, detail: step.detail, hint: hint,
                                           reply: step.reply?.description)
        })
    }

    /// Connects and authenticates without sending: checks host, port, TLS and credentials.
    public func verifyConnection() async throws {
        do {
            try await client.verify()
        } catch let error as SMTPError {
            throw ConnectorError(error, preset: config.preset)
        }
    }

    /// The message `request` stands for: its content or template rendered with its payload
    /// (attachments given by path are read here, on the calling thread).
    /// - Throws: ``ConnectorError`` (`template_not_found`, `invalid_request`) or ``MIMEError``.
    public func compose(_ request: EmailRequest) throws -> MailMessage {
        try builder.compose(request)
    }
}

extension SMTPConnector: TemplatedConnector {
    /// The config's templates, in config order.
    public var templates: TemplateCatalog { config.templates }
}
