import ConnectorKit
import DevServer
import Foundation

extension ConsoleAPI {
    /// `GET /api/messages`: what the DevServer captured, newest first.
    func messages() throws -> ConsoleAnswer {
        let server = try inbox()
        // Polled every 1.5 s: the header only, never the parts.
        return .json(["messages": .array(server.messages.reversed().map { message in
            let headers = MessageContent.Headers(message.data)
            return [
                "id": .number(Double(message.id)),
                "from": .string(headers["From"] ?? message.from),
                "to": .array(message.recipients.map(ConfigValue.string)),
                "subject": .string(headers["Subject"] ?? ""),
                "receivedAt": .string(Self.timestamp(message.receivedAt)),
                "size": .number(Double(message.data.count)),
            ]
        })])
    }

    /// `GET /api/messages/ID`: one message taken apart: headers, text, attachments, raw source,
    /// the SMTP transcript of its session (AUTH masked) and the checks.
    func message(_ id: Int) throws -> ConsoleAnswer {
        let message = try captured(id)
        let content = MessageContent(message.data)
        let messageID = content.header("Message-ID")?.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
        let sent = messageID.flatMap { id in sentTests.withLock { $0[id] } }
        var checks = MessageCheck.standard(data: message.data, content: content, code: sent?.code)
        let storedKey = store.current.config.value(atPath: "dkim.privateKey")?.stringValue
        checks.append(DKIMCheck.check(message.data, keyPEM: sent?.dkimKeyPEM ?? storedKey))
        return .json([
            "id": .number(Double(message.id)),
            "envelope": ["from": .string(message.from), "to": .array(message.recipients.map(ConfigValue.string))],
            "receivedAt": .string(Self.timestamp(message.receivedAt)),
            "size": .number(Double(message.data.count)),
            "tls": message.tlsVersion.map(ConfigValue.string) ?? .null,
            "subject": .string(content.header("Subject") ?? ""),
            "headers": .array(content.headers.map { ["name": .string($0.name), "value": .string(MessageContent.decodedValue($0.value))] }),
            "text": content.text.map(ConfigValue.string) ?? .null,
            "hasHTML": .bool(content.html != nil),
            "attachments": .array(content.attachments.enumerated().map { index, attachment in
                ["index": .number(Double(index)), "filename": attachment.filename.map(ConfigValue.string) ?? .null,
                 "mediaType": .string(attachment.mediaType), "size": .number(Double(attachment.data.count)),
                 "contentId": attachment.contentID.map(ConfigValue.string) ?? .null]
            }),
            "raw": .string(message.text),
            "transcript": .array(message.transcript.map(ConfigValue.string)),
            "checks": .array(checks.map { ["name": .string($0.name), "status": .string($0.status.rawValue), "detail": .string($0.detail)] }),
        ])
    }

    /// `DELETE /api/messages/ID`.
    func deleteMessage(_ id: Int) throws -> ConsoleAnswer {
        guard try inbox().removeMessage(id: id) else { throw APIFailure(404, "There is no message \(id).") }
        return .json(["deleted": .number(Double(id))])
    }

    /// `DELETE /api/messages`: empties the inbox.
    func deleteMessages() throws -> ConsoleAnswer {
        let server = try inbox()
        let count = server.messages.count
        server.clearMessages()
        return .json(["deleted": .number(Double(count))])
    }

    /// `GET /inbox/ID/html`: the HTML part for the page's sandboxed frame. Its own policy lets
    /// the frame show inline styles and embedded images, and nothing else: no script, no remote
    /// load, no form, no navigation (`sandbox` without any allowance).
    func messageHTML(_ id: Int) throws -> ConsoleAnswer {
        guard let html = MessageContent(try captured(id).data).html else { throw APIFailure(404, "Message \(id) has no HTML part.") }
        var response = HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
        response.contentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
        return .response(response)
    }

    /// `GET /inbox/ID/attachments/N`: one attachment, always as a download.
    func attachment(_ id: Int, _ index: Int) throws -> ConsoleAnswer {
        let attachments = MessageContent(try captured(id).data).attachments
        guard attachments.indices.contains(index) else { throw APIFailure(404, "Message \(id) has no attachment \(index).") }
        let name = (attachments[index].filename ?? "attachment-\(index)").filter { $0.isASCII && $0 != "\"" && $0 != "\\" && !$0.isNewline }
        return .response(HTTPResponse(status: 200, contentType: "application/octet-stream", body: attachments[index].data,
                                      extraHeaders: [("Content-Disposition", "attachment; filename=\"\(name.isEmpty ? "attachment" : name)\"")]))
    }

    private func inbox() throws -> DevServer {
        guard let devServer else {
            throw APIFailure(409, "The inbox needs the console's DevServer.", hint: "Start the console with --dev-server.")
        }
        return devServer
    }

    private func captured(_ id: Int) throws -> ReceivedMessage {
        guard let message = try inbox().message(id: id) else { throw APIFailure(404, "There is no message \(id).") }
        return message
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
