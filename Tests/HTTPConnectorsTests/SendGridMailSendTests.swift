import ConnectorKit
import Foundation
import Testing
@testable import HTTPConnectors

/// What each SendGrid answer means, and the configuration's checks.
@Suite struct SendGridMailSendTests {
    private func error(_ status: Int, _ body: String = "", headers: [String: String] = [:]) -> ConnectorError? {
        SendGridMailSend.error(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test func statusesMapAsDocumented() {
        #expect(error(202) == nil)
        let from = error(400, #"{"errors": [{"message": "The from address does not match a verified Sender Identity.", "field": "from", "help": null}]}"#)
        #expect(from?.code == .invalidConfig && from?.issues.first?.path == "fromEmail" && from?.message.contains("verified Sender Identity") == true)
        let content = error(400, #"{"errors": [{"message": "The content value must be a string at least one character in length.", "field": "content.0.value"}]}"#)
        #expect(content?.code == .invalidResponse && content?.message.contains("content.0.value") == true)
        #expect(error(401)?.code == .authorizationFailed && error(401)?.hint?.contains("apiKey") == true)
        #expect(error(403)?.code == .authorizationFailed && error(403)?.hint?.contains("Mail Send") == true)
        #expect(error(413)?.code == .invalidRequest)
        let limited = error(429, #"{"errors": [{"field": null, "message": "too many requests"}]}"#, headers: ["x-ratelimit-reset": "1798761600"])
        #expect(limited?.code == .rateLimitExceeded && limited?.isTransient == true && limited?.message.contains("2027-01-01T00:00:00Z") == true)
        #expect(error(503)?.code == .general && error(503)?.isTransient == true)
        #expect(error(502)?.code == .outcomeUnknown && error(504)?.code == .outcomeUnknown, "a gateway's answer says nothing of SendGrid behind it")
    }

    static let badConfigs: [(key: String, value: ConfigValue, path: String)] = [
        ("apiKey", "SG.a b", "apiKey"), ("endpoint", "http://api.sendgrid.com", "endpoint"), ("region", "mars", "region"),
        ("customHeaders", ["Subject": "x"], "customHeaders.Subject"),
        ("customHeaders", ["X-Ok": "a\r\nBcc: evil@example.com"], "customHeaders.X-Ok"),
    ]

    @Test(arguments: 0..<badConfigs.count)
    func configProblemsNameTheirKey(index: Int) {
        let (key, value, path) = Self.badConfigs[index]
        var config: [String: ConfigValue] = ["apiKey": "SG.key", "fromEmail": "Acme <no-reply@acme.test>",
                                             "templates": ConfigValue.array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
                                                 ["usageType": .string($0), "contentType": "text/plain", "subject": "s", "content": "{{code}}"]
                                             })]
        #expect(SendGridAPIConfig.validate(.object(config)).isEmpty)
        config[key] = value
        let issues = SendGridAPIConfig.validate(.object(config))
        #expect(issues.contains { $0.path == path }, "\(issues)")
        #expect(!issues.description.contains("SG.a b"), "the key is never quoted")
    }
}
