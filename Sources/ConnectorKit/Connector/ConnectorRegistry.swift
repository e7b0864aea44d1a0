/// The connectors a host app can pick from, keyed by id.
///
/// A registry is a value: build it at start-up, register the built-in and third-party factories,
/// then share it. Registering an id twice replaces the earlier factory.
///
/// ```swift
/// var registry = ConnectorRegistry()
/// registry.register(SMTPConnectorFactory())
/// let connector = try registry.makeConnector(id: "smtp", json: configText)
/// ```
public struct ConnectorRegistry: Sendable {
    private var factories: [String: any ConnectorFactory] = [:]
    /// Where the connectors this registry builds report their events; default ``ConnectorEventHandler/none``.
    public var events: ConnectorEventHandler

    /// An empty registry.
    /// - Parameters:
    ///   - events: where the connectors it builds report their events (default: nowhere).
    public init(events: ConnectorEventHandler = .none) {
        self.events = events
    }

    /// Adds `factory` under `factory.metadata.id`.
    public mutating func register(_ factory: any ConnectorFactory) {
        factories[factory.metadata.id] = factory
    }

    /// The metadata of every registered connector, sorted by id.
    public var available: [ConnectorMetadata] {
        factories.values.map(\.metadata).sorted { $0.id < $1.id }
    }

    /// The factory registered under `id`, if any.
    public func factory(id: String) -> (any ConnectorFactory)? {
        factories[id]
    }

    /// Builds a connector from a parsed configuration; it reports to ``events``.
    /// - Throws: ``ConnectorError`` (`general` for an unknown id, `invalid_config` for a bad config).
    public func makeConnector(id: String, config: ConfigValue) throws -> any EmailConnector {
        guard let factory = factories[id] else {
            let known = factories.keys.sorted().joined(separator: ", ")
            throw ConnectorError(.general, "No connector is registered with id \"\(id)\".",
                                 hint: known.isEmpty ? "Register a ConnectorFactory first." : "Registered ids: \(known).")
        }
        return try factory.makeConnector(config: config, events: events)
    }

    /// Builds a connector from JSON configuration text.
    public func makeConnector(id: String, json: String) throws -> any EmailConnector {
        try makeConnector(id: id, config: ConfigValue.parse(json: json))
    }
}
