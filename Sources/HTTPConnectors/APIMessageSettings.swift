import ConnectorKit
import Foundation
import MIME

/// The keys every HTTP API connector reads besides its credentials: the sender, the reply
/// address, the templates, the endpoint and the time a request may take.
struct APIMessageSettings: Sendable, Equatable {
    /// `fromEmail`: the sender, with its display name.
    var from: Mailbox
    /// `replyTo`.
    var replyTo: Mailbox?
    /// `templates`, one per usage type (and locale).
    var templates: TemplateCatalog
    /// `endpoint`: the API's base URL (https).
    var endpoint: URL
    /// `timeout` in seconds: the whole request. Default 30.
    var timeout: Double
    /// `disableFileAccess`: attachments may not name files.
    var disableFileAccess: Bool

    /// Reads the shared keys; `defaultEndpoint` when the config names none.
    static func read(_ reader: inout ConfigReader, defaultEndpoint: String) -> APIMessageSettings? {
        let from = reader.string("fromEmail", required: true, hint: "Set it to a verified sender, e.g. \"Acme <no-reply@acme.com>\".")
            .flatMap { mailbox($0, key: "fromEmail", reader: &reader) }
        let replyTo = reader.optionalString("replyTo").flatMap { mailbox($0, key: "replyTo", reader: &reader) }
        let templates = reader.templates()
        let endpointText = reader.optionalString("endpoint") ?? defaultEndpoint
        let endpoint = URL(string: endpointText)
        if endpoint?.scheme != "https" || endpoint?.host == nil || endpoint?.query != nil {
            reader.report("endpoint", "must be an https URL such as \(defaultEndpoint)", hint: "The API is reached over verified TLS only.")
        }
        let timeout = reader.integer("timeout", in: 1...600_000).map { Double($0) / 1000 } ?? 30
        let disableFileAccess = reader.bool("disableFileAccess") ?? false
        guard let from, let templates, let endpoint, endpoint.scheme == "https" else { return nil }
        return APIMessageSettings(from: from, replyTo: replyTo, templates: templates, endpoint: endpoint,
                                  timeout: timeout, disableFileAccess: disableFileAccess)
    }

    private static func mailbox(_ text: String, key: String, reader: inout ConfigReader) -> Mailbox? {
        do {
            return try Mailbox(parsing: text, field: key)
        } catch let error as MIMEError {
            reader.report(key, error.message)
        } catch {
            reader.report(key, "is not an email address")
        }
        return nil
    }

    /// `addresses` as mailboxes, each checked; errors name `field[index]`.
    static func recipients(_ addresses: [String], field: String) throws -> [Mailbox] {
        do {
            return try addresses.enumerated().map { index, address in try Mailbox(parsing: address, field: "\(field)[\(index)]") }
        } catch let error as MIMEError {
            throw ConnectorError(.invalidRequest, "\(error.field): \(error.message)", phase: .compose, hint: "Check the address.")
        }
    }

    /// The text body: given, or made from the HTML when asked.
    static func text(of content: RenderedContent) -> String? {
        content.text ?? (content.wantsTextFromHTML ? content.html.map(HTMLText.plainText(from:)) : nil)
    }
}
