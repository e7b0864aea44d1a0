import ConnectorKit
import DKIM
import Foundation
import MIME
import NetworkIO
import SMTP
import SMTPWire

/// Builds ``SMTPConnector``s; register it in a ``ConnectorRegistry``.
public struct SMTPConnectorFactory: ConnectorFactory {
    private let log: (@Sendable (String) -> Void)?
    private let tokenProvider: (@Sendable (String) async throws -> String)?
    /// The presets `"preset": "id"` resolves against.
    public let presets: PresetCatalog

    /// Creates the factory.
    /// - Parameters:
    ///   - log: where connectors send their SMTP transcript when `logger`/`debug` is on
    ///     (default: standard error). Bridge it to swift-log or your own logger here.
    ///   - tokenProvider: returns a current OAuth2 access token for a user name (e.g. from your
    ///     Google or Microsoft token store); lets `auth.type: "oauth2"` configs omit `accessToken`.
    ///   - presets: the provider presets a config may name with `"preset"` (see `PresetCatalog.standard`
    ///     in the Presets product); their reply hints also explain errors from their hosts.
    public init(log: (@Sendable (String) -> Void)? = nil,
                tokenProvider: (@Sendable (String) async throws -> String)? = nil,
                presets: PresetCatalog = PresetCatalog()) {
        self.log = log
        self.tokenProvider = tokenProvider
        self.presets = presets
    }

    /// Metadata with id "smtp".
    public var metadata: ConnectorMetadata { SMTPConnector.metadata }

    /// Every problem in `config`, with its JSON path.
    public func validate(_ config: ConfigValue) -> [ConfigIssue] {
        SMTPConnectorConfig.validate(config, hostProvidesTokens: tokenProvider != nil, presets: presets)
    }

    /// Parses `config` and builds a connector.
    public func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        try makeConnector(config: config, events: .none)
    }

    /// Parses `config` and builds a connector that reports to `events`.
    public func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector {
        try SMTPConnector(config: SMTPConnectorConfig.parse(config, hostProvidesTokens: tokenProvider != nil, presets: presets),
                          log: log, tokenProvider: tokenProvider, events: events)
    }
}

/// The connector for one provider preset: an `smtp` connector whose config needs no `preset` key.
/// Registered under the preset's id (`gmail`, `sendgrid`, ...).
public struct PresetConnectorFactory: ConnectorFactory {
    /// The preset.
    public let preset: Preset
    private let smtp: SMTPConnectorFactory

    /// A factory for `preset` that builds through `smtp` (whose log and token provider it uses).
    public init(preset: Preset, smtp: SMTPConnectorFactory) {
        self.preset = preset
        var catalog = smtp.presets
        catalog.add(preset)
        self.smtp = SMTPConnectorFactory(copying: smtp, presets: catalog)
    }

    /// The preset's id, name, description and docs, and its short form over the SMTP form.
    public var metadata: ConnectorMetadata {
        ConnectorMetadata(id: preset.id, name: preset.name, description: preset.description, documentationURL: preset.docs,
                          formItems: preset.formItems(over: SMTPConnector.metadata.formItems))
    }

    /// Every problem in `config` once the preset is applied.
    public func validate(_ config: ConfigValue) -> [ConfigIssue] {
        smtp.validate(withPreset(config))
    }

    /// Builds an `smtp` connector from `config` with the preset applied.
    public func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        try smtp.makeConnector(config: withPreset(config))
    }

    /// Builds an `smtp` connector from `config` with the preset applied, reporting to `events`.
    public func makeConnector(config: ConfigValue, events: ConnectorEventHandler) throws -> any EmailConnector {
        try smtp.makeConnector(config: withPreset(config), events: events)
    }

    private func withPreset(_ config: ConfigValue) -> ConfigValue {
        config["preset"] == nil ? config.setting(.string(preset.id), atPath: "preset") : config
    }
}

extension SMTPConnectorFactory {
    /// `other` with another preset catalog.
    init(copying other: SMTPConnectorFactory, presets: PresetCatalog) {
        self.init(log: other.log, tokenProvider: other.tokenProvider, presets: presets)
    }
}
