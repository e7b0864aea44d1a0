import ConnectorKit
import Foundation
import MIME
import NetworkIO

/// The `sendmail` connector: composes the message as the `smtp` connector does (templates, DKIM)
/// and hands it to the local MTA's sendmail program, which queues it durably and delivers it,
/// retrying on its own. The path for a host that hands delivery to a local or central Postfix
/// (Docs/Operations.md, "Scaling out").
public struct SendmailConnector: TemplatedConnector, DiagnosableConnector {
    /// Metadata with id "sendmail".
    public static let metadata = ConnectorMetadata(
        id: "sendmail", name: "Local MTA (sendmail)",
        description: "Hands each message to the local mail server's sendmail program (Postfix, Exim), which queues it and retries delivery itself.",
        documentationURL: "https://www.postfix.org/sendmail.1.html",
        formItems: formItems)

    /// Metadata with id "sendmail".
    public var metadata: ConnectorMetadata { Self.metadata }
    /// The parsed configuration.
    public let config: SendmailConnectorConfig
    private let builder: MessageBuilder
    private let events: SendEvents
    private let inFlight = InFlightSends()

    /// Builds a connector from a parsed configuration.
    /// - Parameters:
    ///   - config: the configuration.
    ///   - events: receives `send.started` and `send.finished`. Default: nowhere.
    /// - Throws: ``ConnectorError`` (`invalid_config`) for a DKIM key that cannot sign.
    public init(config: SendmailConnectorConfig, events: ConnectorEventHandler = .none) throws {
        self.config = config
        builder = try MessageBuilder(from: config.from, replyTo: config.replyTo, templates: config.templates,
                                     customHeaders: config.customHeaders, disableFileAccess: config.disableFileAccess,
                                     dkim: config.dkim)
        self.events = SendEvents(handler: events, connector: Self.metadata.id)
    }

    /// The config's templates, in config order.
    public var templates: TemplateCatalog { config.templates }

    /// Composes the message for `request` and has the sendmail program queue it.
    /// - Throws: ``ConnectorError``: `invalid_request` for a recipient that could read as an option
    ///   or that the MTA refused, `invalid_config` for a program that is missing or refuses its
    ///   command line, `authorization_failed` (EX_NOPERM), `general` (transient for EX_TEMPFAIL and
    ///   a timeout before the message was handed over), `outcome_unknown` when the program was
    ///   stopped or crashed after taking the whole message.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        try inFlight.enter()
        defer { inFlight.leave() }
        let started = ContinuousClock.now
        var messageID: String?
        do {
            let (message, bytes) = try await builder.build(request)
            messageID = message.messageID
            let recipients = message.envelopeRecipients
            for (index, recipient) in recipients.enumerated() {
                if let problem = SendmailCommand.problem(with: recipient) {
                    throw ConnectorError(.invalidRequest, "recipient \(index) \(problem)", phase: .rcpt,
                                         hint: "Check the address; it is refused before any program runs.")
                }
            }
            events.started(messageID: message.messageID, usageType: request.usageType.rawValue, recipients: recipients.count)
            try await deliver(Self.unixLineEndings(bytes), recipients: recipients)
            events.delivered(messageID: message.messageID, usageType: request.usageType.rawValue, rejected: 0,
                             after: started.duration(to: .now))
            return SendReceipt(messageID: message.messageID, accepted: recipients, response: "queued by \(config.path)",
                               envelope: .init(from: config.from.wireAddress, to: recipients))
        } catch let error as ConnectorError {
            events.failed(error, messageID: messageID, usageType: request.usageType.rawValue, after: started.duration(to: .now))
            throw error
        }
    }

    /// Runs the program on a thread of its own executor (never Swift's cooperative pool, never the
    /// SMTP client's I/O threads). Cancelling the calling task kills it.
    private func deliver(_ bytes: [UInt8], recipients: [String]) async throws {
        let process = SendmailProcess(
            arguments: SendmailCommand.arguments(path: config.path, options: config.arguments,
                                                 sender: config.from.wireAddress, recipients: recipients),
            input: bytes, timeout: config.timeout)
        let result: SendmailProcess.Result
        do {
            let token = CancellationToken()
            result = try await withTaskCancellationHandler {
                try await SendmailProcess.executor.run { try process.run(token: token) }
            } onCancel: {
                token.cancel()
            }
        } catch let failure as SendmailProcess.SpawnFailure {
            throw ConnectorError(.invalidConfig, "cannot run \(config.path): \(String(cString: strerror(failure.errno)))",
                                 phase: .connect, hint: "Install a local MTA (e.g. apt-get install postfix) or set path to its sendmail program.")
        }
        if let error = SendmailOutcome.error(for: result, path: config.path, timeout: config.timeout) { throw error }
    }

    /// The message with LF line endings: sendmail programs read a local text file, and MTAs other
    /// than Postfix (which converts either way) would otherwise keep the CR as part of the line.
    static func unixLineEndings(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0D, index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A {
                index += 1
                continue
            }
            result.append(byte)
            index += 1
        }
        return result
    }

    /// Checks that the program is there and may be run; sends nothing.
    public func diagnose() async -> ConnectorDiagnosis {
        let started = ContinuousClock.now
        let runnable = access(config.path, X_OK) == 0
        let failure = errno
        let milliseconds = ConnectorDiagnosis.Step.milliseconds(since: started)
        return ConnectorDiagnosis(steps: [
            runnable
                ? .init(name: "program", status: .pass, milliseconds: milliseconds, detail: "\(config.path) can be run")
                : .init(name: "program", status: .fail, milliseconds: milliseconds,
                        detail: "\(config.path) cannot be run: \(String(cString: strerror(failure)))",
                        hint: "Install a local MTA (e.g. apt-get install postfix) or set path to its sendmail program."),
        ])
    }

    /// Refuses new sends at once and lets those in flight finish.
    public func shutdown() async {
        await inFlight.shutDown()
    }
}

/// Builds ``SendmailConnector``s; in ``ConnectorRegistry/standard`` as `sendmail`.
public struct SendmailConnectorFactory: ConfigurationConnectorFactory {
    /// A factory.
    public init() {}

    /// Metadata with id "sendmail".
    public var metadata: ConnectorMetadata { SendmailConnector.metadata }

    /// A connector for `configuration` that reports to `events`.
    public func makeConnector(configuration: SendmailConnectorConfig, events: ConnectorEventHandler) throws -> any EmailConnector {
        try SendmailConnector(config: configuration, events: events)
    }
}

extension SendmailConnector {
    private typealias Item = ConnectorMetadata.FormItem

    /// Every key the `sendmail` config accepts, as the console shows them.
    static let formItems: [ConnectorMetadata.FormItem] = [
        Item(key: "path", label: "sendmail program", group: .server, placeholder: SendmailConnectorConfig.defaultPath,
             description: "The local MTA's sendmail command; run without a shell."),
        Item(key: "arguments", label: "Extra options", type: .json, group: .server,
             description: "e.g. [\"-C\", \"/etc/postfix-out\"] for a second Postfix instance. Never -t, -f or --."),
        Item(key: "fromEmail", label: "From", group: .sender, placeholder: "Acme <no-reply@acme.com>", required: true),
        Item(key: "replyTo", label: "Reply-To", group: .sender),
        Item(key: "templates", label: "Templates", type: .json, group: .templates, required: true,
             description: "usageType, contentType, subject and content for each; see Docs/Configuration.md."),
        Item(key: "customHeaders", label: "Custom headers", type: .json, group: .advanced),
        Item(key: "dkim", label: "DKIM", type: .json, group: .advanced),
        Item(key: "disableFileAccess", label: "No file paths", type: .switch, group: .advanced, defaultValue: false),
        Item(key: "timeout", label: "Timeout (ms)", type: .number, group: .advanced, defaultValue: 30_000,
             description: "How long the program may take to accept a message before it is stopped."),
    ]
}
