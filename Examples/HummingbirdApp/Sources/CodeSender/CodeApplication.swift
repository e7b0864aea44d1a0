import ConnectorKit
import ConnectorLogging
import ConnectorMetrics
import ConnectorServiceLifecycle
import Foundation
import Hummingbird
import Logging
import Prometheus
import StandardConnectors

/// What the app needs to start.
public struct CodeAppSettings: Sendable {
    /// A connector config file (any connector: `smtp`, a preset, `failover`, `sendmail`, an API).
    public var configPath: String
    /// Where to listen.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one (``CodeApplication/onListening`` says which).
    public var port = 8080
    /// The app's logger; connector events are logged through it.
    public var logger = Logger(label: "code-sender")
    /// Where metrics go; `GET /metrics` serves it in Prometheus' text format.
    public var metrics = PrometheusCollectorRegistry()

    /// Settings for `configPath`.
    /// - Parameter configPath: the connector config file.
    public init(configPath: String) {
        self.configPath = configPath
    }
}

/// The app: `POST /codes {"email", "usageType"}` sends a six-digit code through the configured
/// connector; `GET /metrics` and `GET /health`. The connector is shut down (sends in flight
/// finish, pools QUIT) when the app shuts down gracefully.
public enum CodeApplication {
    /// Builds the app: reads the config through `ConnectorRegistry.standard`, wires its events to
    /// swift-log and swift-metrics, and its shutdown to the app's.
    /// - Parameters:
    ///   - settings: what to start with.
    ///   - store: where sent codes are kept.
    ///   - onListening: told the port once the server listens.
    /// - Throws: ``ConnectorError`` (`invalid_config`, listing every problem) for a config that does not build.
    public static func build(_ settings: CodeAppSettings, store: CodeStore,
                             onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let logging = ConnectorEventHandler.logging(to: settings.logger)
        let metrics = ConnectorEventHandler.metrics(factory: PrometheusMetricsFactory(registry: settings.metrics))
        let events = ConnectorEventHandler { event in
            logging.deliver(event)
            metrics.deliver(event)
        }
        let file = try ConfigValue.parse(json: Data(contentsOf: URL(fileURLWithPath: settings.configPath)))
        let (id, config) = ConnectorRegistry.selection(for: file)
        let connector = try ConnectorRegistry.standard(presets: .standard, events: events).makeConnector(id: id, config: config)
        settings.logger.info("sending codes through \(id)")

        let router = Router()
        router.post("/codes") { request, context -> Response in
            try await sendCode(request, context: context, connector: connector, store: store)
        }
        router.get("/metrics") { _, _ -> String in settings.metrics.emitToString() }
        router.get("/health") { _, _ -> HTTPResponse.Status in .ok }
        return Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port)),
            services: [ConnectorService(connector)],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
            logger: settings.logger)
    }

    struct CodeRequest: Decodable {
        var email: String
        var usageType: String
    }

    /// Sends a fresh code; 202 with the Message-ID, or the connector's error code as JSON with a
    /// status that fits it (400 for a bad address or usage type, 429 for a provider's rate limit,
    /// 502 else). The provider's own words stay in the log.
    static func sendCode(_ request: Request, context: BasicRequestContext, connector: any EmailConnector,
                         store: CodeStore) async throws -> Response {
        let body = try await request.decode(as: CodeRequest.self, context: context)
        guard let usageType = UsageType(rawValue: body.usageType) else {
            return json(["error": ["code": "invalid_request", "message": .string("usageType \(body.usageType) is not one of \(UsageType.allNames)")]],
                        status: .badRequest)
        }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        do {
            let receipt = try await connector.send(EmailRequest(to: body.email, usageType: usageType, payload: ["code": .string(code)]))
            await store.issue(code, to: body.email)
            return json(["messageId": .string(receipt.messageID)], status: .accepted)
        } catch let error as ConnectorError {
            let status: HTTPResponse.Status = switch error.code {
            case .invalidRequest, .templateNotFound: .badRequest
            case .rateLimitExceeded: .tooManyRequests
            case .shutDown: .serviceUnavailable
            default: .badGateway
            }
            // The client learns the error's code, and the message only when it is about its own
            // request. A provider's reply, host or hint is for the operator: the send.failed event
            // has put it in the log already.
            let message = status == .badRequest ? error.message : "the code could not be sent now; try again later"
            return json(["error": ["code": .string(error.code.rawValue), "message": .string(message)]], status: status)
        }
    }

    private static func json(_ value: ConfigValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: (try? value.jsonText()) ?? "{}")))
    }
}
