import ConnectorKit
import Foundation
import SMTP
import SMTPConnector

extension ConsoleAPI {
    /// `POST /api/send-test`: builds the connector from exactly the config Save would write, sends
    /// one message, and reports the Message-ID and the server's reply, or the error with its phase,
    /// reply and hint. It waits for the connector's own timeouts, never for the browser's.
    func sendTest(_ draft: ConsoleDraft, _ test: TestSendRequest) async throws -> HTTPResponse {
        guard let recipient = test.to else {
            throw APIFailure(422, ConnectorError(.invalidRequest, "The test needs a recipient.",
                                                 hint: "Type an address in Test recipient.",
                                                 issues: [ConfigIssue(path: "testRecipient", message: "is required")]))
        }
        let effective = try validEffective(draft)
        let connector = try registry.makeConnector(id: effective.registryID, config: effective.config)
        let receipt: SendReceipt
        do {
            receipt = try await connector.send(EmailRequest(to: recipient, usageType: test.usageType, payload: test.payload, locale: test.locale))
        } catch {
            await connector.shutdown()
            throw error
        }
        await connector.shutdown()
        let sent = SentTest(code: test.code, dkimKeyPEM: effective.config.value(atPath: "dkim.privateKey")?.stringValue, sentAt: Date())
        sentTests.withLock { tests in
            // The newest 200 are enough for the inbox; older ones (and their DKIM keys) are dropped.
            if tests.count >= 200, let oldest = tests.min(by: { $0.value.sentAt < $1.value.sentAt })?.key { tests.removeValue(forKey: oldest) }
            tests[receipt.messageID] = sent
        }
        return .json(receipt.jsonValue)
    }

    /// `POST /api/doctor`: the doctor's steps for an SMTP connector or preset, each with its time,
    /// result and fix. Nothing is sent.
    func doctor(_ draft: ConsoleDraft) async throws -> HTTPResponse {
        let effective = try validEffective(draft)
        guard effective.registryID == "smtp" else {
            throw APIFailure(422, "Diagnose works for the SMTP connector and its presets, not for \"\(draft.connector)\".")
        }
        let connector = try SMTPConnector(config: SMTPConnectorConfig.parse(effective.config, presets: presets))
        let diagnosis = await connector.diagnose()
        await connector.shutdown()
        return .json(diagnosis.jsonValue)
    }

    /// `POST /api/preview`: for every usage type and every locale the templates name (and the
    /// default), which template a send would use and why, with its subject rendered. Nothing is sent.
    func preview(_ draft: ConsoleDraft, _ test: TestSendRequest) throws -> HTTPResponse {
        let effective = try validEffective(draft)
        guard effective.registryID == "smtp" else {
            throw APIFailure(422, "Preview works for the SMTP connector and its presets, not for \"\(draft.connector)\".")
        }
        let config = try SMTPConnectorConfig.parse(effective.config, presets: presets)
        let catalog = config.templates
        var locales: [String?] = [nil]
        for locale in catalog.templates.compactMap(\.locale) where !locales.contains(locale) { locales.append(locale) }
        if let asked = test.locale, !locales.contains(asked) { locales.append(asked) }
        var rows: [ConfigValue] = []
        for type in UsageType.allCases {
            for locale in locales {
                var payload = test.payload.objectValue ?? [:]
                payload["locale"] = locale.map(ConfigValue.string) ?? .null
                let renderer = TemplateRenderer(payload: .object(payload))
                var row: [String: ConfigValue] = ["usageType": .string(type.rawValue), "locale": locale.map(ConfigValue.string) ?? .null]
                do {
                    let selection = try catalog.selection(for: type, locale: locale)
                    row["template"] = [
                        "index": .number(Double(selection.index)), "usageType": .string(selection.template.usageType.rawValue),
                        "locale": selection.template.locale.map(ConfigValue.string) ?? .null,
                        "contentType": .string(selection.template.contentType.rawValue),
                    ]
                    row["reason"] = .string(selection.reason)
                    row["subject"] = .string(renderer.render(selection.template.subject, escaping: .headerLine))
                } catch let error as ConnectorError {
                    row["template"] = .null
                    row["reason"] = .string(error.message + (error.hint.map { " " + $0 } ?? ""))
                }
                rows.append(.object(row))
            }
        }
        return .json(["previews": .array(rows)])
    }

    /// The effective config, refused with its issues unless the connector accepts it.
    func validEffective(_ draft: ConsoleDraft) throws -> EffectiveConfig {
        let effective = try effective(draft)
        let issues = effective.maskIssues + (registry.factory(id: effective.registryID)?.validate(effective.config) ?? [])
        guard issues.isEmpty else {
            throw APIFailure(422, ConnectorError(.invalidConfig, "The configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s").",
                                                 phase: .config, hint: "Fix the fields marked in the form.", issues: issues))
        }
        return effective
    }
}
