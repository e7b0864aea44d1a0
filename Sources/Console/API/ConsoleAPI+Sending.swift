import ConnectorKit
import Foundation
import StandardConnectors

extension ConsoleAPI {
    /// `POST /api/send-test`: builds the connector from exactly the config Save would write, sends
    /// one message, and reports the Message-ID and the server's reply, or the error with its phase,
    /// reply and hint. It waits for the connector's own timeouts, never for the browser's.
    func sendTest(_ draft: ConsoleDraft, _ test: TestSendRequest) async throws -> ConsoleAnswer {
        guard let recipient = test.to else {
            throw APIFailure(422, ConnectorError(.invalidRequest, "The test needs a recipient.",
                                                 hint: "Type an address in Test recipient.",
                                                 issues: [ConfigIssue(path: "testRecipient", message: "is required")]))
        }
        let effective = try validEffective(draft)
        let request = EmailRequest(to: recipient, usageType: test.usageType, payload: test.payload, locale: test.locale)
        let receipt = try await operations.sendTest(request, config: effective.config, connector: effective.registryID)
        let sent = SentTest(code: test.code, dkimKeyPEM: effective.config.value(atPath: "dkim.privateKey")?.stringValue, sentAt: Date())
        sentTests.withLock { tests in
            // The newest 200 are enough for the inbox; older ones (and their DKIM keys) are dropped.
            if tests.count >= 200, let oldest = tests.min(by: { $0.value.sentAt < $1.value.sentAt })?.key { tests.removeValue(forKey: oldest) }
            tests[receipt.messageID] = sent
        }
        return .json(receipt.jsonValue)
    }

    /// `POST /api/doctor`: the connector's diagnosis steps, each with its time, result and fix,
    /// for any connector that offers one. Nothing is sent.
    func doctor(_ draft: ConsoleDraft) async throws -> ConsoleAnswer {
        let effective = try validEffective(draft)
        return .json(try await operations.diagnose(effective.config, connector: effective.registryID).jsonValue)
    }

    /// `POST /api/preview`: for every usage type and every locale the templates name (and the
    /// default), which template a send would use and why, with its subject rendered. Nothing is sent.
    func preview(_ draft: ConsoleDraft, _ test: TestSendRequest) async throws -> ConsoleAnswer {
        let effective = try validEffective(draft)
        let previews = try await operations.preview(effective.config, connector: effective.registryID, payload: test.payload, locale: test.locale)
        return .json(["previews": .array(previews.map(\.jsonValue))])
    }

    /// The effective config, refused with its issues unless the connector accepts it.
    func validEffective(_ draft: ConsoleDraft) throws -> EffectiveConfig {
        let effective = try effective(draft)
        let issues = effective.maskIssues + (try operations.validate(effective.config, connector: effective.registryID).issues)
        guard issues.isEmpty else {
            throw APIFailure(422, ConnectorError(.invalidConfig, "The configuration has \(issues.count) problem\(issues.count == 1 ? "" : "s").",
                                                 phase: .config, hint: "Fix the fields marked in the form.", issues: issues))
        }
        return effective
    }
}
