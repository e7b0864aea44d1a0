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
        let content = try RenderedContent(request, templates: templates)
        let html = content.html
        let text = content.text ?? (content.wantsTextFromHTML ? html.map(HTMLText.plainText(from:)) : nil)
        let renderer = TemplateRenderer(payload: request.payload)
        func mailboxes(_ addresses: [String], _ field: String) throws -> [Mailbox] {
            try addresses.enumerated().map { index, address in try Mailbox(parsing: address, field: "\(field)[\(index)]") }
        }
        return MailMessage(
            from: from, to: try mailboxes(request.to, "to"), cc: try mailboxes(request.cc, "cc"),
            bcc: try mailboxes(request.bcc, "bcc"), replyTo: replyTo, subject: content.subject, text: text, html: html,
            attachments: try request.attachments.enumerated().map { try attachment($1, index: $0) },
            headers: customHeaders.map { ($0.name, renderer.render($0.value, escaping: .headerLine)) })
    }

    private func attachment(_ attachment: EmailAttachment, index: Int) throws -> Attachment {
        Attachment(filename: attachment.filename, data: try attachment.contents(index: index, disableFileAccess: disableFileAccess),
                   contentType: attachment.contentType, contentID: attachment.contentID)
    }

    /// `request` with each attachment given by path read into bytes on a blocking-I/O thread: a
    /// file read must not hold a thread of Swift's cooperative pool (a slow disk would stall it).
    private func loadingFileAttachments(_ request: EmailRequest) async throws -> EmailRequest {
        let attachments = request.attachments
        guard attachments.contains(where: { if case .path = $0.source { true } else { false } }) else { return request }
        let disableFileAccess = disableFileAccess
        var loaded = request
        loaded.attachments = try await BlockingExecutor.shared.run {
            try attachments.enumerated().map { index, attachment in
                var read = attachment
                read.source = .data(try attachment.contents(index: index, disableFileAccess: disableFileAccess))
                return read
            }
        }
        return loaded
    }
}
