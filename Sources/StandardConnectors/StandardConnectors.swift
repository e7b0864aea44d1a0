import ConnectorKit
import Presets
import SMTPConnector

extension ConnectorRegistry {
    /// `smtp` (with every standard preset available through `"preset"`) and one id per preset
    /// (`gmail`, `sendgrid`, `aliyun-directmail`, `microsoft365`, ...), whose configs need no
    /// `preset` key.
    public static var standard: ConnectorRegistry {
        standard(presets: .standard)
    }

    /// The standard registry over `presets` (for example the standard catalog plus a directory of
    /// the host's own presets).
    /// - Parameters:
    ///   - presets: the presets to offer, each under its own id and through `"preset"` in `smtp` configs.
    ///   - log: receives the SMTP transcript of connectors whose config turns on `logger` or `debug`.
    ///   - tokenProvider: the host's OAuth2 access tokens, asked with the user name.
    public static func standard(presets: PresetCatalog, log: (@Sendable (String) -> Void)? = nil,
                                tokenProvider: (@Sendable (String) async throws -> String)? = nil) -> ConnectorRegistry {
        var registry = ConnectorRegistry()
        let smtp = SMTPConnectorFactory(log: log, tokenProvider: tokenProvider, presets: presets)
        registry.register(smtp)
        for preset in presets.all {
            registry.register(PresetConnectorFactory(preset: preset, smtp: smtp))
        }
        return registry
    }
}
