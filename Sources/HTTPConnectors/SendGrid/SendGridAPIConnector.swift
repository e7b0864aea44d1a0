import ConnectorKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPSupport
import MIME

/// The `sendgrid-api` connector: SendGrid's v3 Web API over verified HTTPS with a bearer API key,
/// as Logto's SendGrid connector does. Choose it over the `sendgrid` SMTP preset where outbound
/// SMTP ports are blocked, or to get SendGrid's message id back at once.
public struct SendGridAPIConnector: TemplatedConnector, DiagnosableConnector {
    /// Metadata with id "sendgrid-api".
    public static let metadata = ConnectorMetadata(
        id: "sendgrid-api", name: "SendGrid (Web API)",
        description: "Sends through SendGrid's v3 Mail Send API over HTTPS with an API key.",
        documentationURL: "https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send",
        formItems: formItems)

    /// Metadata with id "sendgrid-api".
    public var metadata: ConnectorMetadata { Self.metadata }
    /// The parsed configuration.
    public let config: SendGridAPIConfig
    private let session: APISession

    /// Builds a connector.
    /// - Parameters:
    ///   - config: the configuration.
    ///   - events: receives `send.started` and `send.finished`. Default: nowhere.
    public init(config: SendGridAPIConfig, events: ConnectorEventHandler = .none) {
        self.config = config
        session = APISession(connector: Self.metadata.id, service: "SendGrid", timeout: config.message.timeout, events: events)
    }

    /// The config's templates, in config order.
    public var templates: TemplateCatalog { config.message.templates }

    /// Renders the request and posts it to `/v3/mail/send`.
    /// - Throws: ``ConnectorError``: `authorization_failed` (401, 403), `rate_limit_exceeded` (429),
    ///   `invalid_config` or `invalid_response` for a 400 naming SendGrid's field, `invalid_request`
    ///   (413, a bad address), `general` (5xx, retryable), `outcome_unknown` when no answer came.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        var recipients: [String] = []
        return try await session.send(request, prepare: {
            let content = try RenderedContent(request, templates: templates)
            let to = try APIMessageSettings.recipients(request.to, field: "to")
            let cc = try APIMessageSettings.recipients(request.cc, field: "cc")
            let bcc = try APIMessageSettings.recipients(request.bcc, field: "bcc")
            let attachments = try await APIExchange.loadingFiles(request.attachments, disableFileAccess: config.message.disableFileAccess)
            let body = SendGridMailSend.body(content: content, text: APIMessageSettings.text(of: content), to: to, cc: cc, bcc: bcc,
                                             config: config, attachments: attachments)
            recipients = (to + cc + bcc).map(\.address)
            return APISession.Prepared(request: urlRequest(body), recipients: recipients.count)
        }, receipt: { response in
            if let error = SendGridMailSend.error(status: response.status, headers: response.headers, body: response.body) { throw error }
            let messageID = response.headers["x-message-id"] ?? ""
            return SendReceipt(messageID: messageID, accepted: recipients,
                               response: "\(response.status) Accepted" + (messageID.isEmpty ? "" : " (X-Message-Id \(messageID))"))
        })
    }

    private func urlRequest(_ body: ConfigValue) -> URLRequest {
        var request = URLRequest(url: config.message.endpoint.appendingPathComponent("v3/mail/send"))
        request.httpMethod = "POST"
        request.setValue("Bearer \(config.apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(((try? body.jsonText()) ?? "{}").utf8)
        return request
    }

    /// An authenticated request that sends nothing: `GET /v3/scopes` lists the key's permissions,
    /// and the diagnosis says whether `mail.send` is among them.
    public func diagnose() async -> ConnectorDiagnosis {
        let started = ContinuousClock.now
        var request = URLRequest(url: config.message.endpoint.appendingPathComponent("v3/scopes"))
        request.setValue("Bearer \(config.apiKey)", forHTTPHeaderField: "Authorization")
        let step: ConnectorDiagnosis.Step
        do {
            let response = try await APIExchange.send(request, with: session.fetcher, service: "SendGrid")
            let milliseconds = ConnectorDiagnosis.Step.milliseconds(since: started)
            let scopes = (try? ConfigValue.parse(json: response.body))?["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if response.status == 200, scopes.contains("mail.send") {
                step = .init(name: "https", status: .pass, milliseconds: milliseconds, detail: "the API key may send (scope mail.send)")
            } else if response.status == 200 {
                step = .init(name: "https", status: .fail, milliseconds: milliseconds, detail: "the API key lacks the mail.send scope",
                             hint: "Give the key the Mail Send permission under Settings > API Keys.")
            } else {
                let error = SendGridMailSend.error(status: response.status, headers: response.headers, body: response.body)
                step = .init(name: "https", status: .fail, milliseconds: milliseconds,
                             detail: error?.message ?? "status \(response.status)", hint: error?.hint)
            }
        } catch let error as ConnectorError {
            step = .init(name: "https", status: .fail, milliseconds: ConnectorDiagnosis.Step.milliseconds(since: started), detail: error.message, hint: error.hint)
        } catch {
            step = .init(name: "https", status: .fail, milliseconds: ConnectorDiagnosis.Step.milliseconds(since: started), detail: "\(error)")
        }
        return ConnectorDiagnosis(steps: [step])
    }
}

/// Builds ``SendGridAPIConnector``s; in ``ConnectorRegistry/standard`` as `sendgrid-api`.
public struct SendGridAPIConnectorFactory: ConfigurationConnectorFactory {
    /// A factory.
    public init() {}

    /// Metadata with id "sendgrid-api".
    public var metadata: ConnectorMetadata { SendGridAPIConnector.metadata }

    /// A connector for `configuration` that reports to `events`.
    public func makeConnector(configuration: SendGridAPIConfig, events: ConnectorEventHandler) throws -> any EmailConnector {
        SendGridAPIConnector(config: configuration, events: events)
    }
}

extension SendGridAPIConnector {
    private typealias Item = ConnectorMetadata.FormItem

    /// Every key the `sendgrid-api` config accepts, as the console shows them.
    static let formItems: [ConnectorMetadata.FormItem] = [
        Item(key: "apiKey", label: "API key", group: .auth, placeholder: "SG.…", required: true, confidential: true,
             description: "A key with the Mail Send permission."),
        Item(key: "region", label: "Data residency", type: .select, group: .server, defaultValue: "global",
             options: [.init("global", title: "Global (api.sendgrid.com)"), .init("eu", title: "EU (api.eu.sendgrid.com)")]),
        Item(key: "endpoint", label: "API endpoint", group: .server, placeholder: SendGridAPIConfig.globalEndpoint),
        Item(key: "fromEmail", label: "From", group: .sender, placeholder: "Acme <no-reply@acme.com>", required: true,
             description: "A verified Sender Identity or an address of an authenticated domain."),
        Item(key: "replyTo", label: "Reply-To", group: .sender),
        Item(key: "templates", label: "Templates", type: .json, group: .templates, required: true,
             description: "usageType, contentType, subject and content for each; see Docs/Configuration.md."),
        Item(key: "customHeaders", label: "Custom headers", type: .json, group: .advanced, description: "An object of names and values."),
        Item(key: "timeout", label: "Timeout (ms)", type: .number, group: .advanced, defaultValue: 30_000),
        Item(key: "disableFileAccess", label: "No file paths", type: .switch, group: .advanced, defaultValue: false),
    ]
}
