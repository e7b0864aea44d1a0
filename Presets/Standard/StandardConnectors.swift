import AliyunDirectMail
import Catalog
import ConnectorKit
import Foundation
import Gmail
import SendGrid
import SMTPConnector

extension PresetCatalog {
    /// Gmail, SendGrid and Aliyun DirectMail, plus the bundled JSON catalog. A catalog file that
    /// fails to load is left out, so the built-in presets still work.
    /// Read once, on first use.
    public static let standard: PresetCatalog = {
        var catalog = (try? PresetCatalog.bundledJSON()) ?? PresetCatalog()
        for preset in [Preset.gmail, .sendGrid, .aliyunDirectMail] { catalog.add(preset) }
        return catalog
    }()
}

extension ConnectorRegistry {
    /// `smtp` (with every standard preset available through `"preset"`) and one id per preset
    /// (`gmail`, `sendgrid`, `aliyun-directmail`, `microsoft365`, ...), whose configs need no
    /// `preset` key.
    public static var standard: ConnectorRegistry {
        standard(presets: .standard)
    }

    /// The standard registry over `presets` (for example the standard catalog plus a directory of
    /// the host's own presets).
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
