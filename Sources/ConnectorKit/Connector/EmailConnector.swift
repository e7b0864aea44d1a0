/// A provider that can send an email: the one protocol a connector implements.
///
/// Connectors are built by a ``ConnectorFactory`` from an already validated configuration, so
/// `send` only fails for reasons found at send time (network, server replies, missing template).
public protocol EmailConnector: Sendable {
    /// Who this connector is (id, name, docs link, config form).
    var metadata: ConnectorMetadata { get }

    /// Renders the template for `request.usageType` with `request.payload` and delivers it.
    /// - Returns: what the server accepted and rejected.
    /// - Throws: ``ConnectorError`` with the phase, the server reply and a hint.
    func send(_ request: EmailRequest) async throws -> SendReceipt

    /// Stops the connector: new sends fail at once with ``ConnectorError/Code/shutDown``, sends in
    /// flight finish, then open connections are closed politely. Call it once, when the host app
    /// stops; shaped like swift-service-lifecycle's graceful shutdown, so a `Service` can call it
    /// after `gracefulShutdown()` returns (see Docs/Operations.md). The default does nothing.
    func shutdown() async
}

extension EmailConnector {
    /// Nothing to stop: the connector holds no connections or threads.
    public func shutdown() async {}
}

/// Builds connectors of one kind from JSON configuration.
///
/// A third-party package implements this protocol and registers it in a ``ConnectorRegistry``,
/// exactly as the built-in SMTP connector does.
public protocol ConnectorFactory: Sendable {
    /// What connectors from this factory are; `metadata.id` is the registry key ("smtp").
    var metadata: ConnectorMetadata { get }

    /// Every problem in `config`, each with its JSON path. Performs no network I/O.
    func validate(_ config: ConfigValue) -> [ConfigIssue]

    /// Builds a connector.
    /// - Throws: ``ConnectorError`` with code ``ConnectorError/Code/invalidConfig`` listing every issue.
    func makeConnector(config: ConfigValue) throws -> any EmailConnector

    /// Builds a connector that reports what it does to `events`. A factory whose connectors emit
    /// events implements this; the default ignores `events` and calls ``makeConnector(config:)``.
    /// - Throws: ``ConnectorError`` with code ``ConnectorError/Code/invalidConfig`` listing every issue.
    func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector
}

extension ConnectorFactory {
    /// Builds the connector without events.
    public func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector {
        try makeConnector(config: config)
    }
}

/// Describes a connector kind, for a host app's provider picker and admin console.
public struct ConnectorMetadata: Sendable, Equatable {
    /// The registry key, e.g. "smtp".
    public var id: String
    /// What the connector sends; always "email" here, kept for Logto compatibility.
    public var target: String
    /// A short display name.
    public var name: String
    /// One sentence on what it does.
    public var description: String
    /// Where its guide lives: an absolute `https` URL (a browser opens it from the console), not a
    /// path in a checkout; nil when there is none.
    public var documentationURL: String?
    /// The keys its configuration form offers, in display order.
    public var formItems: [FormItem]

    /// Creates metadata.
    public init(id: String, target: String = "email", name: String, description: String,
                documentationURL: String? = nil, formItems: [FormItem] = []) {
        self.id = id
        self.target = target
        self.name = name
        self.description = description
        self.documentationURL = documentationURL
        self.formItems = formItems
    }
}
