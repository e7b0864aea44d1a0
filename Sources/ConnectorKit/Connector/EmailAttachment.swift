import Foundation

/// A file to attach to an email, or an inline image the HTML refers to as `cid:<contentID>`.
public struct EmailAttachment: Sendable, Equatable {
    /// Where the content comes from.
    public enum Source: Sendable, Equatable {
        /// The bytes themselves.
        case data(Data)
        /// A file on the server; refused when the config sets `disableFileAccess`.
        case path(String)
    }

    /// The name shown to the reader (any characters).
    public var filename: String
    /// The content.
    public var source: Source
    /// The media type; nil guesses from the file name's extension.
    public var contentType: String?
    /// Set for an inline part the HTML shows with `<img src="cid:…">`.
    public var contentID: String?

    /// An attachment from bytes.
    public init(filename: String, data: Data, contentType: String? = nil, contentID: String? = nil) {
        self.init(filename: filename, source: .data(data), contentType: contentType, contentID: contentID)
    }

    /// An attachment from any source.
    public init(filename: String, source: Source, contentType: String? = nil, contentID: String? = nil) {
        self.filename = filename
        self.source = source
        self.contentType = contentType
        self.contentID = contentID
    }
}

/// Content given with the request instead of a configured template: a subject and a text and/or
/// HTML body, rendered with the request's payload like a template.
public struct EmailContent: Sendable, Equatable {
    /// The subject, with `{{placeholders}}`.
    public var subject: String
    /// The plain-text body.
    public var text: String?
    /// The HTML body.
    public var html: String?
    /// With only `html`: also send a plain-text alternative generated from it (default true,
    /// since spam filters penalise HTML-only mail).
    public var generateText: Bool

    /// Creates content.
    public init(subject: String, text: String? = nil, html: String? = nil, generateText: Bool = true) {
        self.subject = subject
        self.text = text
        self.html = html
        self.generateText = generateText
    }
}

extension EmailAttachment {
    /// The bytes: given, or read from the file. Reading blocks: call it off Swift's cooperative pool.
    /// - Parameters:
    ///   - index: its position in the request's attachments, for errors.
    ///   - disableFileAccess: whether the config forbids reading files.
    /// - Throws: ``ConnectorError`` (`invalid_request`) for a path under `disableFileAccess` or a
    ///   file that cannot be read.
    public func contents(index: Int, disableFileAccess: Bool) throws -> Data {
        switch source {
        case .data(let data):
            return data
        case .path(let path):
            guard !disableFileAccess else {
                throw ConnectorError(.invalidRequest, "attachments[\(index)] is a file path and disableFileAccess is set",
                                     phase: .compose, hint: "Pass the file's bytes instead, or turn off disableFileAccess.")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConnectorError(.invalidRequest, "attachments[\(index)]: cannot read \(path)", phase: .compose,
                                     hint: "Check that the file exists and this process may read it.")
            }
            return data
        }
    }
}
