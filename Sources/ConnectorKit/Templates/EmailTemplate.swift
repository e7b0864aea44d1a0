/// One message template from a connector config.
public struct EmailTemplate: Sendable, Equatable {
    /// The body's media type.
    public enum ContentType: String, Sendable, CaseIterable {
        case plainText = "text/plain"
        case html = "text/html"
    }

    /// Which kind of email it is for.
    public var usageType: UsageType
    /// How `content` is to be read.
    public var contentType: ContentType
    /// The subject line, with `{{placeholders}}`.
    public var subject: String
    /// The body, with `{{placeholders}}`.
    public var content: String
    /// The locale it is written in (e.g. "en", "zh-CN"), when templates vary by language.
    public var locale: String?
    /// For an HTML template: the plain-text alternative, with placeholders (`textContent`).
    public var textContent: String?
    /// For an HTML template without `textContent`: generate the plain-text alternative from the
    /// rendered HTML (`generateText`, default false to send what Logto sends).
    public var generateText: Bool

    /// Creates a template.
    public init(usageType: UsageType, contentType: ContentType = .plainText, subject: String,
                content: String, locale: String? = nil, textContent: String? = nil, generateText: Bool = false) {
        self.usageType = usageType
        self.contentType = contentType
        self.subject = subject
        self.content = content
        self.locale = locale
        self.textContent = textContent
        self.generateText = generateText
    }
}

/// Picks the template for a request: the exact usage type (and locale, when templates carry one),
/// then Generic, else `template_not_found`.
public struct TemplateCatalog: Sendable, Equatable {
    /// The templates, in config order.
    public var templates: [EmailTemplate]

    /// Creates a catalog.
    public init(_ templates: [EmailTemplate]) {
        self.templates = templates
    }

    /// The best template for `usageType` in `locale`.
    ///
    /// Order of preference, for the usage type and then for Generic: same locale; same language
    /// ("fr" for "fr-CA"); a template without a locale; any template of that type.
    /// - Throws: ``ConnectorError`` with code ``ConnectorError/Code/templateNotFound``.
    public func template(for usageType: UsageType, locale: String? = nil) throws -> EmailTemplate {
        for type in usageType == .generic ? [.generic] : [usageType, .generic] {
            let candidates = templates.filter { $0.usageType == type }
            if let best = Self.bestMatch(in: candidates, locale: locale) { return best }
        }
        throw ConnectorError(.templateNotFound,
                             "No template for usage type \(usageType.rawValue) and no Generic template.",
                             phase: .template,
                             hint: "Add a template with \"usageType\": \"\(usageType.rawValue)\" or \"Generic\".")
    }

    private static func bestMatch(in candidates: [EmailTemplate], locale: String?) -> EmailTemplate? {
        guard let locale = locale?.lowercased(), !locale.isEmpty else {
            return candidates.first { $0.locale == nil } ?? candidates.first
        }
        let language = locale.split(separator: "-").first.map(String.init) ?? locale
        return candidates.first { $0.locale?.lowercased() == locale }
            ?? candidates.first { $0.locale?.lowercased() == language }
            ?? candidates.first { $0.locale == nil }
            ?? candidates.first
    }
}
