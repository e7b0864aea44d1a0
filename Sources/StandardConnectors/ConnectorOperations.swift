import ConnectorKit
import Presets
import SMTPConnector

/// What an operator does with a connector config, in one place for the CLI and the console:
/// validate it, resolve its preset, send a test, diagnose the provider, preview the templates.
///
/// Every operation works for every connector the registry holds (failover and a third party's
/// included) as far as the connector offers it: diagnosis needs a ``DiagnosableConnector``,
/// preview a ``TemplatedConnector``. The CLI and the console format the results; neither imports
/// a transport.
///
/// ```swift
/// let operations = ConnectorOperations()
/// let check = try operations.validate(config)
/// let diagnosis = try await operations.diagnose(config)
/// ```
public struct ConnectorOperations: Sendable {
    /// The connectors configs are built with.
    public let registry: ConnectorRegistry
    /// The presets a `"preset"` key may name.
    public let presets: PresetCatalog

    /// Operations over `registry`.
    /// - Parameters:
    ///   - registry: the connectors configs are built with (default: the standard registry over `presets`).
    ///   - presets: the presets a `"preset"` key may name (default: the standard catalog).
    public init(registry: ConnectorRegistry? = nil, presets: PresetCatalog = .standard) {
        self.registry = registry ?? .standard(presets: presets)
        self.presets = presets
    }

    /// What ``validate(_:connector:)`` found.
    public struct Check: Sendable {
        /// The registry id the config was checked against.
        public var connectorID: String
        /// Every problem, each with its JSON path; empty when the config is valid.
        public var issues: [ConfigIssue]
        /// The config with its preset applied and where each value came from, when it names a preset.
        public var resolution: PresetResolution?

        /// Whether there is no problem.
        public var isValid: Bool { issues.isEmpty }
    }

    /// Checks `config` without any network I/O.
    /// - Parameters:
    ///   - config: the connector's config.
    ///   - connector: the registry id; by default the one the config names (`failover`, else `smtp`).
    /// - Throws: ``ConnectorError`` (`invalid_config`) when no connector has that id.
    public func validate(_ config: ConfigValue, connector: String? = nil) throws -> Check {
        let (id, config) = select(config, connector: connector)
        let issues = try factory(id).validate(config)
        return Check(connectorID: id, issues: issues, resolution: resolvePreset(config).resolution)
    }

    /// The preset `config` names, applied, with where each value came from; nil resolution without
    /// a `"preset"` key. Issues name the key.
    public func resolvePreset(_ config: ConfigValue) -> (resolution: PresetResolution?, issues: [ConfigIssue]) {
        let (_, resolution, issues) = SMTPConnectorConfig.resolvePreset(config, presets: presets)
        return (resolution, issues)
    }

    /// Builds the connector, sends `request` through it, and shuts it down, whether the send
    /// worked or not. The connector's own timeouts bound it.
    /// - Parameters:
    ///   - request: what to send.
    ///   - config: the connector's config.
    ///   - connector: the registry id; by default the one the config names.
    ///   - events: where the connector reports what it does (default: the registry's handler).
    /// - Throws: ``ConnectorError`` for a config that does not build or a send that fails.
    public func sendTest(_ request: EmailRequest, config: ConfigValue, connector: String? = nil,
                         events: ConnectorEventHandler? = nil) async throws -> SendReceipt {
        let built = try build(config, connector: connector, events: events)
        do {
            let receipt = try await built.send(request)
            await built.shutdown()
            return receipt
        } catch {
            await built.shutdown()
            throw error
        }
    }

    /// Probes the provider step by step without sending (every member in turn for failover).
    /// - Parameters:
    ///   - config: the connector's config.
    ///   - connector: the registry id; by default the one the config names.
    ///   - events: where the connector reports what it does (default: the registry's handler).
    /// - Throws: ``ConnectorError`` for a config that does not build, or a connector that offers no diagnosis.
    public func diagnose(_ config: ConfigValue, connector: String? = nil, events: ConnectorEventHandler? = nil) async throws -> ConnectorDiagnosis {
        let built = try build(config, connector: connector, events: events)
        guard let diagnosable = built as? any DiagnosableConnector else {
            await built.shutdown()
            throw ConnectorError(.invalidRequest, "The \(built.metadata.id) connector offers no diagnosis.", phase: .config,
                                 hint: "Send a test instead; a connector offers diagnosis by conforming to DiagnosableConnector.")
        }
        let diagnosis = await diagnosable.diagnose()
        await built.shutdown()
        return diagnosis
    }

    /// For every usage type and locale the templates name, which template a send would use and
    /// why, with its subject rendered. Nothing is sent.
    /// - Parameters:
    ///   - config: the connector's config.
    ///   - connector: the registry id; by default the one the config names.
    ///   - payload: the values templates are rendered with.
    ///   - locale: one more locale to show.
    /// - Throws: ``ConnectorError`` for a config that does not build, or a connector without templates.
    public func preview(_ config: ConfigValue, connector: String? = nil, payload: ConfigValue = [:],
                        locale: String? = nil) async throws -> [TemplatePreview] {
        let built = try build(config, connector: connector, events: ConnectorEventHandler.none)
        await built.shutdown()
        guard let templated = built as? any TemplatedConnector else {
            throw ConnectorError(.invalidRequest, "The \(built.metadata.id) connector has no templates to preview.", phase: .config,
                                 hint: built.metadata.id == FailoverConnectorFactory.id
                                     ? "Each failover member has its own templates: preview a member's config."
                                     : "Preview works for connectors that render templates (smtp and its presets).")
        }
        return templated.templates.previews(payload: payload, locale: locale)
    }

    private func factory(_ id: String) throws -> any ConnectorFactory {
        guard let factory = registry.factory(id: id) else {
            throw ConnectorError(.invalidConfig, "No connector is registered with id \"\(id)\".", phase: .config,
                                 hint: "Known: \(registry.available.map(\.id).joined(separator: ", ")).")
        }
        return factory
    }

    private func build(_ config: ConfigValue, connector: String?, events: ConnectorEventHandler?) throws -> any EmailConnector {
        let (id, config) = select(config, connector: connector)
        return try factory(id).makeConnector(config: config, events: events ?? registry.events)
    }

    /// The connector `connector` names, else the one the config file names; and the config without
    /// the file's `"connector"` key.
    private func select(_ config: ConfigValue, connector: String?) -> (String, ConfigValue) {
        let selected = ConnectorRegistry.selection(for: config)
        return (connector ?? selected.id, selected.config)
    }
}
