import ConnectorKit
import HTTPConnectors
import Presets
import SMTPConnector

extension ConnectorRegistry {
    /// `smtp` (with every standard preset available through `"preset"`), one id per preset
    /// (`gmail`, `sendgrid`, `aliyun-directmail`, `microsoft365`, ...), whose configs need no
    /// `preset` key, and `failover` over all of them.
    public static var standard: ConnectorRegistry {
        standard(presets: .standard)
    }

    /// The standard registry over `presets` (for example the standard catalog plus a directory of
    /// the host's own presets).
    /// - Parameters:
    ///   - presets: the presets to offer, each under its own id and through `"preset"` in `smtp` configs.
    ///   - log: receives the SMTP transcript of connectors whose config turns on `logger` or `debug`.
    ///   - tokenProvider: the host's OAuth2 access tokens, asked with the user name.
    ///   - events: where every connector the registry builds reports its events (default: nowhere).
    public static func standard(presets: PresetCatalog, log: (@Sendable (String) -> Void)? = nil,
                                tokenProvider: (@Sendable (String) async throws -> String)? = nil,
                                events: ConnectorEventHandler = .none) -> ConnectorRegistry {
        var registry = ConnectorRegistry(events: events)
        let smtp = SMTPConnectorFactory(log: log, tokenProvider: tokenProvider, presets: presets)
        registry.register(smtp)
        for preset in presets.all {
            registry.register(PresetConnectorFactory(preset: preset, smtp: smtp))
        }
        registry.register(SendmailConnectorFactory())
        registry.register(SendGridAPIConnectorFactory())
        registry.register(AliyunDirectMailAPIConnectorFactory())
        registry.register(FailoverConnectorFactory(members: registry))
        return registry
    }

    /// The key a config file names its connector with: `{"connector": "sendmail", ...}`.
    public static let connectorKey = "connector"

    /// The id of the connector a config is for: its `"connector"` key when it has one, else
    /// `failover` when it has a `failover` list, else `smtp` (whose `"preset"` key selects a
    /// provider). What the CLI and console use.
    public static func connectorID(for config: ConfigValue) -> String {
        if let named = config[connectorKey]?.stringValue { return named }
        return config["failover"] != nil ? FailoverConnectorFactory.id : SMTPConnector.metadata.id
    }

    /// The connector a config file names, and the config that connector reads (without the
    /// `"connector"` key, which belongs to the file, not to the connector).
    public static func selection(for config: ConfigValue) -> (id: String, config: ConfigValue) {
        (connectorID(for: config), config.removing(path: connectorKey))
    }
}
