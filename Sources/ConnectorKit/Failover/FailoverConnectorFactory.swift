/// Builds ``FailoverConnector``s from `{"failover": [MEMBER, ...], "cooldownSeconds": 60}`,
/// each member built by the factory its `"connector"` key names in `registry`.
///
/// Register it after the connectors its members may use; `ConnectorRegistry.standard` does:
///
/// ```swift
/// var registry = ConnectorRegistry()
/// registry.register(MyConnectorFactory())
/// registry.register(FailoverConnectorFactory(members: registry))
/// ```
public struct FailoverConnectorFactory: ConnectorFactory {
    /// The registry id, "failover".
    public static let id = "failover"

    /// Metadata with id "failover".
    public static let metadata = ConnectorMetadata(
        id: id, name: "Failover",
        description: "Sends through the first member that can; moves on only when nothing can have been delivered.")

    private let registry: ConnectorRegistry
    private let now: @Sendable () -> ContinuousClock.Instant

    /// A factory whose members come from `registry`.
    /// - Parameters:
    ///   - registry: the connectors members may name with `"connector"`.
    ///   - now: the clock cool-downs are measured with; tests pass their own.
    public init(members registry: ConnectorRegistry, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.registry = registry
        self.now = now
    }

    /// Metadata with id "failover".
    public var metadata: ConnectorMetadata { Self.metadata }

    /// Every problem in `config`; a member's problems are under `failover[i].`.
    public func validate(_ config: ConfigValue) -> [ConfigIssue] {
        FailoverConfig.read(config, registry: registry).1
    }

    /// Builds the connector without events.
    public func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        try makeConnector(config: config, events: .none)
    }

    /// Builds every member (each reporting to `events`, tagged with `memberIndex`) and composes them.
    public func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector {
        let (parsed, issues) = FailoverConfig.read(config, registry: registry)
        guard let parsed else {
            throw ConnectorError(.invalidConfig, "the failover configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s")",
                                 phase: .config, issues: issues)
        }
        var members: [FailoverConnector.Member] = []
        for member in parsed.members {
            let memberEvents = events.adding(["memberIndex": .int(member.index), "member": .string(member.name)])
            do {
                let connector = try registry.factory(id: member.connectorID)!.makeConnector(config: member.config, events: memberEvents)
                members.append(.init(name: member.name, connector: connector))
            } catch var error as ConnectorError {
                error.message = "\(member.label): \(error.message)"
                error.issues = error.issues.map { $0.nested(under: member.path) }
                throw error
            }
        }
        return FailoverConnector(members: members, cooldown: parsed.cooldown, events: events, now: now)
    }
}
