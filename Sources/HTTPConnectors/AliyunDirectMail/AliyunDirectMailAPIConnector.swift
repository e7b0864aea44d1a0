import ConnectorKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPSupport
import MIME

/// The `aliyun-directmail-api` connector: DirectMail's `SingleSendMail` over verified HTTPS, signed
/// with an AccessKey pair (Alibaba Cloud's RPC signature), as Logto's Aliyun DirectMail connector
/// does. Choose it over the `aliyun-directmail` SMTP preset to skip the SMTP password, or where
/// outbound SMTP ports are blocked.
public struct AliyunDirectMailAPIConnector: TemplatedConnector, DiagnosableConnector {
    /// Metadata with id "aliyun-directmail-api".
    public static let metadata = ConnectorMetadata(
        id: "aliyun-directmail-api", name: "Aliyun DirectMail (API)",
        description: "Sends through Alibaba Cloud DirectMail's SingleSendMail API over HTTPS with an AccessKey.",
        documentationURL: "https://www.alibabacloud.com/help/en/directmail/latest/singlesendmail",
        formItems: formItems)

    /// Metadata with id "aliyun-directmail-api".
    public var metadata: ConnectorMetadata { Self.metadata }
    /// The parsed configuration.
    public let config: AliyunDirectMailAPIConfig
    private let session: APISession

    /// Builds a connector.
    /// - Parameters:
    ///   - config: the configuration.
    ///   - events: receives `send.started` and `send.finished`. Default: nowhere.
    public init(config: AliyunDirectMailAPIConfig, events: ConnectorEventHandler = .none) {
        self.config = config
        session = APISession(connector: Self.metadata.id, service: "DirectMail", timeout: config.message.timeout, events: events)
    }

    /// The config's templates, in config order.
    public var templates: TemplateCatalog { config.message.templates }

    /// Renders the request and posts a signed `SingleSendMail`.
    /// - Throws: ``ConnectorError``: `authorization_failed` (a bad key or signature),
    ///   `invalid_config` (the sender is not verified), `invalid_request` (Cc, Bcc or attachments,
    ///   which SingleSendMail lacks; a refused recipient), `rate_limit_exceeded`, `general` (5xx,
    ///   retryable), `outcome_unknown` when no answer came.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        var recipients: [String] = []
        return try await session.send(request, prepare: {
            guard request.cc.isEmpty, request.bcc.isEmpty, request.attachments.isEmpty else {
                throw ConnectorError(.invalidRequest, "DirectMail's SingleSendMail takes no Cc, Bcc or attachments", phase: .compose,
                                     hint: "Send to each address in `to`, or use the aliyun-directmail SMTP preset for Cc, Bcc and attachments.")
            }
            let content = try RenderedContent(request, templates: templates)
            let to = try APIMessageSettings.recipients(request.to, field: "to")
            guard to.count <= 100 else {
                throw ConnectorError(.invalidRequest, "DirectMail takes at most 100 recipients per message, not \(to.count)", phase: .rcpt)
            }
            recipients = to.map(\.address)
            let parameters = AliyunSingleSendMail.parameters(
                content: content, text: APIMessageSettings.text(of: content), to: to, config: config,
                nonce: UUID().uuidString.lowercased(), timestamp: Self.timestamp(Date()))
            return APISession.Prepared(request: AliyunSingleSendMail.request(parameters, config: config), recipients: to.count)
        }, receipt: { response in
            if let error = AliyunSingleSendMail.error(status: response.status, body: response.body) { throw error }
            let answer = try? ConfigValue.parse(json: response.body)
            let envID = answer?["EnvId"]?.stringValue, requestID = answer?["RequestId"]?.stringValue
            return SendReceipt(messageID: envID ?? requestID ?? "", accepted: recipients,
                               response: "\(response.status) OK (EnvId \(envID ?? "none"), RequestId \(requestID ?? "none"))")
        })
    }

    /// Asks DirectMail for the sender address (`QueryMailAddressByParam`, a signed read that sends
    /// nothing): the answer proves the AccessKey and its signature, and says whether `accountName`
    /// is a sender of this account in this region, and whether it and its domain may send.
    public func diagnose() async -> ConnectorDiagnosis {
        let started = ContinuousClock.now
        let parameters = AliyunSingleSendMail.signed(
            action: "QueryMailAddressByParam", ["KeyWord": config.message.from.address, "PageSize": "100"], config: config,
            nonce: UUID().uuidString.lowercased(), timestamp: Self.timestamp(Date()))
        do {
            let response = try await APIExchange.send(AliyunSingleSendMail.request(parameters, config: config),
                                                      with: session.fetcher, service: "DirectMail")
            let milliseconds = ConnectorDiagnosis.Step.milliseconds(since: started)
            return AliyunSenderCheck.diagnosis(status: response.status, body: response.body, config: config, milliseconds: milliseconds)
        } catch {
            // APIExchange throws ConnectorErrors only (not reached, DNS, TLS, no answer, cancelled).
            let failure = error as? ConnectorError
            return ConnectorDiagnosis(steps: [.init(name: "https", status: .fail, milliseconds: ConnectorDiagnosis.Step.milliseconds(since: started),
                                                    detail: failure?.message ?? "\(error)", hint: failure?.hint)])
        }
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, as the signature wants it.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// Builds ``AliyunDirectMailAPIConnector``s; in ``ConnectorRegistry/standard`` as `aliyun-directmail-api`.
public struct AliyunDirectMailAPIConnectorFactory: ConfigurationConnectorFactory {
    /// A factory.
    public init() {}

    /// Metadata with id "aliyun-directmail-api".
    public var metadata: ConnectorMetadata { AliyunDirectMailAPIConnector.metadata }

    /// A connector for `configuration` that reports to `events`.
    public func makeConnector(configuration: AliyunDirectMailAPIConfig, events: ConnectorEventHandler) throws -> any EmailConnector {
        AliyunDirectMailAPIConnector(config: configuration, events: events)
    }
}

extension AliyunDirectMailAPIConnector {
    private typealias Item = ConnectorMetadata.FormItem

    /// Every key the `aliyun-directmail-api` config accepts, as the console shows them.
    static let formItems: [ConnectorMetadata.FormItem] = [
        Item(key: "accessKeyId", label: "AccessKey ID", group: .auth, required: true, confidential: true),
        Item(key: "accessKeySecret", label: "AccessKey secret", group: .auth, required: true, confidential: true),
        Item(key: "region", label: "Region", type: .select, group: .server, defaultValue: "cn-hangzhou",
             options: AliyunDirectMailAPIConfig.endpoints.keys.sorted().map { .init(.string($0), title: $0) }),
        Item(key: "endpoint", label: "API endpoint", group: .server, description: "The region's endpoint by default."),
        Item(key: "accountName", label: "Sender address", group: .sender, placeholder: "no-reply@mail.acme.com", required: true,
             description: "Created and verified in the DirectMail console."),
        Item(key: "fromAlias", label: "Sender name", group: .sender),
        Item(key: "addressType", label: "Address type", type: .select, group: .sender, defaultValue: 1,
             options: [.init(.number(1), title: "Sender address"), .init(.number(0), title: "Random address")]),
        Item(key: "replyToAddress", label: "Use the console's reply address", type: .switch, group: .sender, defaultValue: false),
        Item(key: "templates", label: "Templates", type: .json, group: .templates, required: true,
             description: "usageType, contentType, subject and content for each; see Docs/Configuration.md."),
        Item(key: "timeout", label: "Timeout (ms)", type: .number, group: .advanced, defaultValue: 30_000),
    ]
}
