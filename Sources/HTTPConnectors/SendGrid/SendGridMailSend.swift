import ConnectorKit
import Foundation
import MIME

/// SendGrid's v3 `POST /v3/mail/send`: the request body for one message, and what each answer means.
/// (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send)
enum SendGridMailSend {
    /// The JSON body: one personalization with every recipient, from and reply_to with their names,
    /// the subject, text/plain before text/html (SendGrid's rule), headers and attachments.
    static func body(content: RenderedContent, text: String?, to: [Mailbox], cc: [Mailbox], bcc: [Mailbox],
                     config: SendGridAPIConfig, attachments: [(EmailAttachment, Data)]) -> ConfigValue {
        func person(_ mailbox: Mailbox) -> ConfigValue {
            var object: [String: ConfigValue] = ["email": .string(mailbox.address)]
            if let name = mailbox.displayName { object["name"] = .string(name) }
            return .object(object)
        }
        var personalization: [String: ConfigValue] = ["to": .array(to.map(person))]
        if !cc.isEmpty { personalization["cc"] = .array(cc.map(person)) }
        if !bcc.isEmpty { personalization["bcc"] = .array(bcc.map(person)) }
        var parts: [ConfigValue] = []
        if let text { parts.append(["type": "text/plain", "value": .string(text)]) }
        if let html = content.html { parts.append(["type": "text/html", "value": .string(html)]) }
        var body: [String: ConfigValue] = [
            "personalizations": [.object(personalization)],
            "from": person(config.message.from),
            "subject": .string(content.subject),
            "content": .array(parts),
        ]
        if let replyTo = config.message.replyTo { body["reply_to"] = person(replyTo) }
        if !config.customHeaders.isEmpty { body["headers"] = .object(config.customHeaders.mapValues(ConfigValue.string)) }
        if !attachments.isEmpty {
            body["attachments"] = .array(attachments.map { attachment, data in
                var object: [String: ConfigValue] = [
                    "content": .string(data.base64EncodedString()), "filename": .string(attachment.filename),
                    "type": .string(attachment.contentType ?? MediaTypes.type(forFilename: attachment.filename)),
                    "disposition": .string(attachment.contentID == nil ? "attachment" : "inline"),
                ]
                if let id = attachment.contentID { object["content_id"] = .string(id) }
                return .object(object)
            })
        }
        return .object(body)
    }

    /// Nil for an accepted message (202); else the error its status and `errors[]` say.
    static func error(status: Int, headers: [String: String], body: Data) -> ConnectorError? {
        if status == 202 || status == 200 { return nil }
        let (field, message) = firstError(body)
        let said = message.map { ": \($0)" } ?? ""
        switch status {
        case 400:
            // SendGrid names the field it refused; a sender or header field is the config's to fix.
            let configKeys = ["from": "fromEmail", "reply_to": "replyTo", "headers": "customHeaders"]
            let fieldText = field.map { " (field \($0))" } ?? ""
            if let field, let key = configKeys.first(where: { field.hasPrefix($0.key) })?.value {
                return ConnectorError(.invalidConfig, "SendGrid refused \(field)\(said)", phase: .data,
                                      hint: "Fix \(key): for from, use a verified Sender Identity or an address of an authenticated domain.",
                                      issues: [ConfigIssue(path: key, message: "refused by SendGrid\(said)")])
            }
            return ConnectorError(.invalidResponse, "SendGrid refused the request\(fieldText)\(said)", phase: .data,
                                  hint: "SendGrid named what it refused; check the recipients and the template's content.")
        case 401:
            return ConnectorError(.authorizationFailed, "SendGrid refused the API key (401)\(said)", phase: .auth,
                                  hint: "Check apiKey: it is wrong, deleted or revoked. Create one under Settings > API Keys.")
        case 403:
            return ConnectorError(.authorizationFailed, "SendGrid forbade the send (403)\(said)", phase: .auth,
                                  hint: "Give the API key the Mail Send scope (Full Access or Restricted with Mail Send), and check that the sender is verified.")
        case 413:
            return ConnectorError(.invalidRequest, "SendGrid refused the message as too large (413)\(said)", phase: .data,
                                  hint: "SendGrid takes at most 30 MB per request, attachments included; send smaller attachments.")
        case 429:
            let reset = headers["x-ratelimit-reset"].flatMap(Double.init).map {
                " until \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)))"
            } ?? ""
            return ConnectorError(.rateLimitExceeded, "SendGrid's rate limit was reached (429)\(reset)\(said)", phase: .data,
                                  hint: "Wait\(reset.isEmpty ? "" : reset) or raise the plan's limit; nothing was sent.", isTransient: true)
        case 502, 504:
            // A gateway's answer: SendGrid behind it may have taken the message or not.
            return ConnectorError(.outcomeUnknown, "SendGrid's gateway answered \(status)\(said); the message may have been accepted", phase: .data,
                                  hint: "Check SendGrid's Activity Feed before sending the message again.")
        case 500...599:
            return ConnectorError(.general, "SendGrid failed with status \(status)\(said); the message was not accepted", phase: .data,
                                  hint: "A later try may work; see status.sendgrid.com.", isTransient: true)
        default:
            return ConnectorError(.invalidResponse, "SendGrid answered with status \(status)\(said)", phase: .data,
                                  hint: "Check endpoint: \(SendGridAPIConfig.globalEndpoint) or \(SendGridAPIConfig.euEndpoint).")
        }
    }

    /// The first of `errors[]`: its field and message.
    private static func firstError(_ body: Data) -> (String?, String?) {
        guard let value = try? ConfigValue.parse(json: body), let first = value["errors"]?.arrayValue?.first else { return (nil, nil) }
        let message = first["message"]?.stringValue.map { String($0.prefix(300)) }
        return (first["field"]?.stringValue, message)
    }
}
