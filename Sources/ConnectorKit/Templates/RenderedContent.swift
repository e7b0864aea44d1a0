/// What a request says once rendered: its subject and bodies, from its own content or from the
/// template its usage type and locale select. The same for every connector, whatever carries it.
public struct RenderedContent: Sendable, Equatable {
    /// The subject, one line (rendered with header-line escaping).
    public var subject: String
    /// The plain-text body, when the content or template has one.
    public var text: String?
    /// The HTML body (rendered with HTML escaping), when there is one.
    public var html: String?
    /// Whether a plain-text alternative should be made from the HTML (`generateText`) because none
    /// was given; the caller makes it (MIME's `HTMLText`).
    public var wantsTextFromHTML: Bool

    /// Renders `request` with its payload: its ``EmailRequest/content`` if it has one, else the
    /// template of `templates` for its usage type and locale (`request.locale`, else the payload's).
    /// - Throws: ``ConnectorError`` (`template_not_found`) when no template fits.
    public init(_ request: EmailRequest, templates: TemplateCatalog) throws {
        let renderer = TemplateRenderer(payload: request.payload)
        if let content = request.content {
            subject = renderer.render(content.subject, escaping: .headerLine)
            html = content.html.map { renderer.render($0, escaping: .html) }
            text = content.text.map { renderer.render($0, escaping: .none) }
            wantsTextFromHTML = text == nil && html != nil && content.generateText
            return
        }
        let locale = request.locale ?? request.payload["locale"]?.stringValue
        let template = try templates.template(for: request.usageType, locale: locale)
        subject = renderer.render(template.subject, escaping: .headerLine)
        if template.contentType == .html {
            html = renderer.render(template.content, escaping: .html)
            text = template.textContent.map { renderer.render($0, escaping: .none) }
            wantsTextFromHTML = text == nil && template.generateText
        } else {
            html = nil
            text = renderer.render(template.content, escaping: .none)
            wantsTextFromHTML = false
        }
    }
}
