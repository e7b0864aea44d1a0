/// A connector's parsed configuration, read with a ``ConfigReader`` that collects every problem:
/// conform with ``read(_:)``, ``connectorName`` and ``guide``, and get ``parse(_:)`` (throws
/// `invalid_config` listing every issue) and ``validate(_:)`` (the issues alone).
///
/// ```swift
/// struct MyConfig: ConnectorConfiguration {
///     static let connectorName = "My connector"
///     static let guide = "Docs/MyConnector.md"
///     static func read(_ config: ConfigValue) -> (MyConfig?, issues: [ConfigIssue]) { ... }
/// }
/// ```
public protocol ConnectorConfiguration: Sendable {
    /// How errors name the connector: "The sendmail connector configuration has 2 problems."
    static var connectorName: String { get }
    /// Where its keys are described, for the error's hint.
    static var guide: String { get }
    /// The configuration when `config` is usable, and every problem found, each with its JSON path.
    static func read(_ config: ConfigValue) -> (Self?, issues: [ConfigIssue])
}

extension ConnectorConfiguration {
    /// Parses and checks a configuration, reporting every problem at once.
    /// - Throws: ``ConnectorError`` (`invalid_config`) listing each problem with its JSON path.
    public static func parse(_ config: ConfigValue) throws -> Self {
        let (parsed, issues) = read(config)
        guard let parsed, issues.isEmpty else {
            throw ConnectorError(.invalidConfig, "The \(connectorName) configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s").",
                                 phase: .config, hint: "Fix each listed key; see \(guide).", issues: issues)
        }
        return parsed
    }

    /// Every problem in `config`, with JSON paths; empty when it is usable.
    public static func validate(_ config: ConfigValue) -> [ConfigIssue] {
        read(config).issues
    }
}

/// A ``ConnectorFactory`` whose connectors are built from a ``ConnectorConfiguration``: give
/// `metadata` and ``makeConnector(configuration:events:)``; validation and both `makeConnector`
/// requirements come from the configuration type.
public protocol ConfigurationConnectorFactory: ConnectorFactory {
    /// The connector's parsed configuration.
    associatedtype Configuration: ConnectorConfiguration

    /// Builds a connector from a configuration that passed ``ConnectorConfiguration/parse(_:)``.
    /// - Throws: ``ConnectorError`` when the configuration cannot be used after all (a key that
    ///   does not load).
    func makeConnector(configuration: Configuration, events: ConnectorEventHandler) throws -> any EmailConnector
}

extension ConfigurationConnectorFactory {
    /// Every problem in `config`, with JSON paths.
    public func validate(_ config: ConfigValue) -> [ConfigIssue] {
        Configuration.validate(config)
    }

    /// A connector that reports nowhere.
    public func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        try makeConnector(config: config, events: .none)
    }

    /// A connector that reports to `events`.
    public func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector {
        try makeConnector(configuration: Configuration.parse(config), events: events)
    }
}
