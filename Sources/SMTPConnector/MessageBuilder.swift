import ConnectorKit
import DKIM
import Foundation
import MIME
import NetworkIO

/// What the `smtp` and `sendmail` connectors share: a request rendered from its template (or its
/// own content) into a message, composed, and DKIM-signed when configured.
struct MessageBuilder: Sendable {
    let from: Mailbox
    let replyTo: Mailbox?
    let templates: TemplateCatalog
    let customHeaders: [SMTPConnectorConfig.Header]
    let disableFileAccess: Bool
    let signer: DKIMSigner?

    /// A builder; loads the DKIM key now, so a bad one fails when the connector is built.
    /// - Throws: ``ConnectorError`` (`invalid_config`) for a DKIM key that cannot sign.
    init(from: Mailbox, replyTo: Mailbox?, templates: TemplateCatalog, customHeaders: [SMTPConnectorConfig.Header],
         disableFileAccess: Bool, dkim: SMTPConnectorConfig.DKIM?) throws {
        self.from = from
        self.replyTo = replyTo
        self.templates = templates
        self.customHeaders = customHeaders
        self.disableFileAccess = disableFileAccess
        do {
            signer = try dkim.map {
                try DKIMSigner(domain: $0.domain, selector: $0.selector, privateKeyPEM: $0.privateKeyPEM,
                               headerFields: $0.headerFields, skipFields: $0.skipFields)
            }
        } catch {
            throw ConnectorError(.invalidConfig, "\(error)", phase: .config)
        }
    }

    /// The message for `request` and its bytes, DKIM-signed when configured; attachment files are
    /// read first, off the cooperative pool.
    func build(_ request: EmailRequest) async throws -> (MailMessage, [UInt8]) {
        let request = try await loadingFileAttachments(request)
        let message: MailMessage, composed: [UInt8]
        do {
            message = try compose(request)
            composed = try MessageComposer().compose(message)
        } catch let error as MIMEError {
            throw ConnectorError(error)
        }
        do {
            return (message, try signer?.sign(composed) ?? composed)
        } catch let error as DKIMError {
            throw ConnectorError(.general, "DKIM signing failed: \(error)", phase: .compose)
        }
    }

    /// The message `request` stands for: its content or template rendered with its payload.
    /// - Throws: ``ConnectorError`` (`template_not_found`, `invalid_request`) or ``MIMEError``.
    func compose(_ request: EmailRequest) throws -> MailMessage {
        let renderer = TemplateRenderer(payload: request.payload)
        let subject: String, text: String?, html: String?
        if let content = request.content {
            subject = renderer.render(content.subject, escaping: .headerLine)
            html = content.html.map { renderer.render($0, escaping: .html) }
            text = content.text.map { renderer.render($0, escaping: .none) }
                ?? (content.generateText ? html.map(HTMLText.plainText(from:)) : nil)
        } else {
            let locale = request.locale ?? request.payload["locale"]?.stringValue
            let template = try templates.template(for: request.usageType, locale: locale)
            subject = renderer.render(template.subject, escaping: .headerLine)
            if template.contentType == .html {
                html = renderer.render(template.content, escaping: .html)
                text = template.textContent.map { renderer.render($0, escaping: .none) }
                    ?? (template.generateText ? html.map(HTMLText.plainText(from:)) : nil)
            } else {
                html = nil
                text = renderer.render(template.content, escaping: .none)
            }
        }
        func mailboxes(_ addresses: [String], _ field: String) throws -> [Mailbox] {
            try addresses.enumerated().map { index, address in try Mailbox(parsing: address, field: "\(field)[\(index)]") }
        }
        return MailMessage(
            from: from, to: try mailboxes(request.to, "to"), cc: try mailboxes(request.cc, "cc"),
            bcc: try mailboxes(request.bcc, "bcc"), replyTo: replyTo, subject: subject, text: text, html: html,
            attachments: try request.attachments.enumerated().map { try attachment($1, index: $0) },
            headers: customHeaders.map { ($0.name, renderer.render($0.value, escaping: .headerLine)) })
    }

    private func attachment(_ attachment: EmailAttachment, index: Int) throws -> Attachment {
        let data: Data
        switch attachment.source {
        case .data(let bytes): data = bytes
        case .path(let path): data = try Self.contents(of: path, index: index, disableFileAccess: disableFileAccess)
        }
        return Attachment(filename: attachment.filename, data: data, contentType: attachment.contentType,
                          contentID: attachment.contentID)
    }

    /// `request` with each attachment given by path read into bytes on a blocking-I/O thread: a
    /// file read must not hold a thread of Swift's cooperative pool (a slow disk would stall it).
    private func loadingFileAttachments(_ request: EmailRequest) async throws -> EmailRequest {
        let attachments = request.attachments
        guard attachments.contains(where: { if case .path = $0.source { true } else { false } }) else { return request }
        var loaded = request
        loaded.attachments = try await BlockingExecutor.shared.run {
            try attachments.enumerated().map { index, attachment in
                guard case .path(let path) = attachment.source else { return attachment }
                var read = attachment
                read.source = .data(try Self.contents(of: path, index: index, disableFileAccess: disableFileAccess))
                return read
            }
        }
        return loaded
    }

    /// The bytes of the file at `path`, attachment `index` of the request.
    private static func contents(of path: String, index: Int, disableFileAccess: Bool) throws -> Data {
        guard !disableFileAccess else {
            throw ConnectorError(.invalidRequest, "attachments[\(index)] is a file path and disableFileAccess is set",
                                 phase: .compose, hint: "Pass the file's bytes instead, or turn off disableFileAccess.")
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw ConnectorError(.invalidRequest, "attachments[\(index)]: cannot read \(path)", phase: .compose,
                                 hint: "Check that the file exists and this process may read it.")
        }
        return contents
    }
}
