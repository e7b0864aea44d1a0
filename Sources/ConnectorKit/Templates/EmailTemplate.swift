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
        try selection(for: usageType, locale: locale).template
    }

    /// The template ``template(for:locale:)`` picks, and why, in a sentence an operator can act on.
    /// - Throws: ``ConnectorError`` with code ``ConnectorError/Code/templateNotFound``.
    public func selection(for usageType: UsageType, locale: String? = nil) throws -> TemplateSelection {
        for type in usageType == .generic ? [.generic] : [usageType, .generic] {
            let candidates = templates.filter { $0.usageType == type }
            guard let (best, match) = Self.bestMatch(in: candidates, locale: locale) else { continue }
            var reason = match
            if type != usageType { reason += "; no \(usageType.rawValue) template, so the Generic one" }
            return TemplateSelection(template: best, index: templates.firstIndex(of: best) ?? 0, reason: reason)
        }
        throw ConnectorError(.templateNotFound,
                             "No template for usage type \(usageType.rawValue) and no Generic template.",
                             phase: .template,
                             hint: "Add a template with \"usageType\": \"\(usageType.rawValue)\" or \"Generic\".")
    }

    private static func bestMatch(in candidates: [EmailTemplate], locale: String?) -> (EmailTemplate, String)? {
        guard let locale = locale?.lowercased(), !locale.isEmpty else {
            if let plain = candidates.first(where: { $0.locale == nil }) { return (plain, "no locale asked; the template without a locale") }
            return candidates.first.map { ($0, "no locale asked and every template has one; the first, \($0.locale ?? "")") }
        }
        let language = locale.split(separator: "-").first.map(String.init) ?? locale
        if let exact = candidates.first(where: { $0.locale?.lowercased() == locale }) { return (exact, "same locale, \(exact.locale ?? "")") }
        if let sameLanguage = candidates.first(where: { $0.locale?.lowercased() == language }) {
            return (sameLanguage, "no \(locale) template; same language, \(sameLanguage.locale ?? "")")
        }
        if let plain = candidates.first(where: { $0.locale == nil }) { return (plain, "no \(locale) template; the one without a locale") }
        return candidates.first.map { ($0, "no \(locale) template and none without a locale; the first, \($0.locale ?? "")") }
    }
}

/// Which template a send would use, and why.
public struct TemplateSelection: Sendable, Equatable {
    /// The template.
    public var template: EmailTemplate
    /// Its position in the config's `templates` array.
    public var index: Int
    /// Why it was picked, e.g. "no fr-CA template; same language, fr".
    public var reason: String
}
