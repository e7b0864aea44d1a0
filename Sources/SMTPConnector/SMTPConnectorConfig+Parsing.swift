import ConnectorKit
import Foundation
import DKIM
import MIME
import SMTP
import SMTPWire

extension SMTPConnectorConfig {
    /// Parses and checks a configuration, reporting every problem at once.
    /// - Throws: ``ConnectorError`` with code `invalid_config` whose ``ConnectorError/issues`` list
    ///   each problem with its JSON path. Performs no network I/O.
    /// - Parameter hostProvidesTokens: whether the host app supplies OAuth2 tokens, so that
    ///   `auth.type: "oauth2"` needs no `auth.accessToken`.
    /// - Parameter presets: where `"preset": "id"` is looked up.
    public static func parse(_ config: ConfigValue, hostProvidesTokens: Bool = false,
                             presets: PresetCatalog = PresetCatalog()) throws -> SMTPConnectorConfig {
        let (parsed, issues, _) = read(config, hostProvidesTokens: hostProvidesTokens, presets: presets)
        guard let parsed, issues.isEmpty else {
            throw ConnectorError(.invalidConfig, "The SMTP connector configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s").",
                                 phase: .config, hint: "Fix each listed key; see Docs/Configuration.md.", issues: issues)
        }
        return parsed
    }

    /// Every problem in `config`, with JSON paths; empty when it is usable.
    public static func validate(_ config: ConfigValue, hostProvidesTokens: Bool = false,
                                presets: PresetCatalog = PresetCatalog()) -> [ConfigIssue] {
        read(config, hostProvidesTokens: hostProvidesTokens, presets: presets).issues
    }

    /// Issues about a value the preset derived from a confidential one (`fromEmail` from
    /// `auth.user`) must not quote it: the value is masked and its source named instead.
    static func maskingDerivedSecrets(_ issues: [ConfigIssue], resolution: PresetResolution?) -> [ConfigIssue] {
        guard let resolution else { return issues }
        var masked = issues
        for (path, source) in resolution.sources {
            guard case .derived(let from) = source, ConfidentialValues.isConfidential(path: from),
                  let value = resolution.config.value(atPath: path)?.stringValue, !value.isEmpty else { continue }
            for index in masked.indices where masked[index].path == path && masked[index].message.contains(value) {
                masked[index].message = masked[index].message.replacingOccurrences(of: value, with: ConfidentialValues.mask)
                    + " (taken from \(from))"
            }
        }
        return masked
    }

    /// The preset `config` names, applied; nil without a `preset` key. Issues name the key.
    public static func resolvePreset(_ config: ConfigValue, presets: PresetCatalog) -> (Preset?, PresetResolution?, [ConfigIssue]) {
        guard let value = config["preset"], value != .null else { return (nil, nil, []) }
        guard let id = value.stringValue else {
            return (nil, nil, [ConfigIssue(path: "preset", message: "expected a string, found \(value.typeDescription)")])
        }
        guard let preset = presets.preset(id: id) else {
            let known = presets.all.map(\.id).joined(separator: ", ")
            return (nil, nil, [ConfigIssue(path: "preset", message: "\"\(id)\" is not a known preset",
                                           hint: known.isEmpty ? "No presets are loaded here; give host and port instead." : "Known presets: \(known).")])
        }
        let resolution = preset.resolve(config)
        return (preset, resolution, resolution.issues)
    }

    static func read(_ original: ConfigValue, hostProvidesTokens: Bool = false,
                     presets: PresetCatalog = PresetCatalog()) -> (SMTPConnectorConfig?, issues: [ConfigIssue], keyPaths: [String]) {
        let (preset, resolution, presetIssues) = resolvePreset(original, presets: presets)
        let config = resolution?.config ?? (preset == nil && !presetIssues.isEmpty ? original.removing(path: "preset") : original)
        var reader = ConfigReader(config)
        reader.report(contentsOf: presetIssues)
        let host = reader.string("host", required: true, hint: "Set it to your provider's SMTP server, e.g. smtp.gmail.com.")
        let secureFlag = reader.bool("secure")
        let port = reader.integer("port", in: 1...65535, allowNumericString: true)
        let from = reader.string("fromEmail", required: true, hint: "Set it to the sender address, e.g. \"Acme <no-reply@acme.com>\".")
            .flatMap { mailbox($0, key: "fromEmail", reader: &reader) }
        let replyTo = reader.optionalString("replyTo").flatMap { mailbox($0, key: "replyTo", reader: &reader) }
        let templates = reader.templates()
        let auth = reader.object("auth") { readAuth(&$0, hostProvidesTokens: hostProvidesTokens) } ?? nil
        let requireTLS = reader.bool("requireTLS") ?? false
        let ignoreTLS = reader.bool("ignoreTLS") ?? false
        if requireTLS && ignoreTLS {
            reader.report("ignoreTLS", "cannot be true together with requireTLS", hint: "Keep requireTLS and remove ignoreTLS.")
        }
        // A blank servername means "check host" (nodemailer), never "check no name".
        let topServerName = reader.optionalString("servername")
        // Read first: it decides whether tls.ca and dkim.privateKey may name files.
        let disableFileAccess = reader.bool("disableFileAccess") ?? false
        var tls = reader.object("tls") { readTLS(&$0, fileAccess: !disableFileAccess) } ?? TLS()
        tls.serverName = tls.serverName ?? topServerName
        let clientName = reader.optionalString("name")
        if let clientName, !clientName.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            reader.report("name", "must be printable ASCII without spaces (servers answer 501 otherwise)",
                          hint: "Use this machine's fully qualified domain name; convert an international name to punycode (xn--).")
        }
        let localAddress = reader.optionalString("localAddress")
        var timeouts = Timeouts()
        if let value = reader.integer("connectionTimeout", in: 1...86_400_000) { timeouts.connection = Double(value) / 1000 }
        if let value = reader.integer("greetingTimeout", in: 1...86_400_000) { timeouts.greeting = Double(value) / 1000 }
        if let value = reader.integer("socketTimeout", in: 1...86_400_000) { timeouts.socket = Double(value) / 1000 }
        if let value = reader.integer("dnsTimeout", in: 1...86_400_000) { timeouts.dns = Double(value) / 1000 }
        // Ours, not Logto's: an overall bound on one send, off unless set.
        if let value = reader.integer("sendTimeout", in: 1...86_400_000) { timeouts.send = Double(value) / 1000 }
        let headers = readHeaders(&reader)
        let logger = reader.bool("logger") ?? false
        let debug = reader.bool("debug") ?? false
        let allowInsecureAuth = reader.bool("allowInsecureAuth") ?? false
        let dkim = reader.object("dkim") {
            readDKIM(&$0, fileAccess: !disableFileAccess, customHeaderNames: headers.map(\.name))
        } ?? nil
        // The preset named, or the one whose host this is: its reply hints and limits apply.
        let provider = preset ?? host.flatMap { presets.preset(forHost: $0) }
        let keepAlive = reader.integer("keepAlive", in: 1...600_000).map { Double($0) / 1000 }
        var pool = readPool(&reader, preset: provider)
        if let keepAlive { pool?.idleTimeout = keepAlive }
        readAcceptedOptions(&reader)
        reader.finish()
        // A path the preset already explained (with its provider-specific hint) is reported once.
        let presetPaths = Set(presetIssues.map(\.path))
        let issues = maskingDerivedSecrets(
            presetIssues + reader.issues.dropFirst(presetIssues.count).filter { !presetPaths.contains($0.path) },
            resolution: resolution)

        guard let host, let from, let templates else { return (nil, issues, reader.readPaths) }
        let security: Security
        let secure = secureFlag ?? (port == 465)
        if secure { security = .implicitTLS }
        else if ignoreTLS { security = .plaintext }
        else if requireTLS { security = .startTLSRequired }
        else { security = .startTLSOpportunistic }
        var parsed = SMTPConnectorConfig(
            host: host, port: port ?? (secure ? 465 : 587), from: from, replyTo: replyTo, templates: templates,
            auth: auth, security: security, tls: tls, clientName: clientName, localAddress: localAddress,
            timeouts: timeouts, customHeaders: headers, logsTranscript: logger || debug,
            allowsInsecureAuth: allowInsecureAuth, disableFileAccess: disableFileAccess, dkim: dkim, pool: pool,
            preset: provider)
        parsed.keepAlive = keepAlive
        return (parsed, issues, reader.readPaths)
    }

    static func mailbox(_ text: String, key: String, reader: inout ConfigReader) -> Mailbox? {
        do {
            return try Mailbox(parsing: text, field: key)
        } catch let error as MIMEError {
            reader.report(key, error.message)
        } catch {
            reader.report(key, "\(error)")
        }
        return nil
    }

    /// Keys Logto's connector accepts that change nothing here yet, checked for type only.
    /// `pool`, `maxConnections`, `maxMessages`, `rateDelta` (ms), `rateLimit`: nodemailer's names.
    private static func readPool(_ reader: inout ConfigReader, preset: Preset?) -> Pool? {
        let enabled = reader.bool("pool") ?? false
        var pool = Pool()
        if let value = reader.integer("maxConnections", in: 1...1000) { pool.maxConnections = value }
        if let value = reader.integer("maxMessages", in: 1...1_000_000) {
            pool.maxMessagesPerConnection = value
        } else if let providerLimit = preset?.limits.messagesPerConnection {
            pool.maxMessagesPerConnection = min(pool.maxMessagesPerConnection, providerLimit)
        }
        if let value = reader.integer("rateDelta", in: 1...86_400_000) { pool.rateWindow = Double(value) / 1000 }
        pool.rateLimit = reader.integer("rateLimit", in: 1...1_000_000)
        return enabled ? pool : nil
    }

    private static func readAcceptedOptions(_ reader: inout ConfigReader) {
        _ = reader.bool("disableUrlAccess")
    }
}
