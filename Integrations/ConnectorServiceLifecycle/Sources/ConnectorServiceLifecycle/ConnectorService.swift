import ConnectorKit
import ServiceLifecycle

/// A swift-service-lifecycle `Service` that owns connectors: it runs until the service group
/// shuts down gracefully (SIGTERM, or `triggerGracefulShutdown()`), then shuts every connector
/// down: each refuses new sends at once (`shut_down`), lets those in flight finish, and closes its
/// pooled connections politely (SMTP QUIT).
///
/// ```swift
/// let mailer = try ConnectorRegistry.standard.makeConnector(id: "smtp", json: configText)
/// let group = ServiceGroup(services: [app, ConnectorService(mailer)], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public struct ConnectorService: Service {
    /// The connectors it shuts down, in order.
    public let connectors: [any EmailConnector]

    /// A service for one connector.
    /// - Parameter connector: the connector the host sends with.
    public init(_ connector: any EmailConnector) {
        connectors = [connector]
    }

    /// A service for several connectors (for example, every connector a host built from its registry).
    /// - Parameter connectors: the connectors; they are shut down together.
    public init(connectors: [any EmailConnector]) {
        self.connectors = connectors
    }

    /// Waits for graceful shutdown (or cancellation), then shuts every connector down and returns
    /// once each has: sends in flight have finished and pools are closed.
    public func run() async throws {
        // Returns at graceful shutdown; throws CancellationError if the group cancels instead.
        // Either way the connectors are shut down before the service ends.
        try? await gracefulShutdown()
        await withTaskGroup(of: Void.self) { group in
            for connector in connectors {
                group.addTask { await connector.shutdown() }
            }
        }
    }
}
