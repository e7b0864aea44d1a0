/// Which template a send of one usage type in one locale would use, and why, with its subject
/// rendered: what the console's Preview and `smtp-connector preview` show. Nothing is sent.
public struct TemplatePreview: Sendable, Equatable {
    /// The usage type asked for.
    public var usageType: UsageType
    /// The locale asked for; nil for none.
    public var locale: String?
    /// The template picked, or nil when none would be (then ``reason`` says what to add).
    public var selection: TemplateSelection?
    /// Why that template, or why none.
    public var reason: String
    /// The subject line rendered with the payload; nil when no template was picked.
    public var subject: String?

    /// `{"usageType", "locale", "template": {"index", "usageType", "locale", "contentType"} | null, "reason", "subject"}`.
    public var jsonValue: ConfigValue {
        var row: [String: ConfigValue] = ["usageType": .string(usageType.rawValue), "locale": locale.map(ConfigValue.string) ?? .null,
                                          "reason": .string(reason)]
        if let selection {
            row["template"] = [
                "index": .number(Double(selection.index)), "usageType": .string(selection.template.usageType.rawValue),
                "locale": selection.template.locale.map(ConfigValue.string) ?? .null,
                "contentType": .string(selection.template.contentType.rawValue),
            ]
            row["subject"] = subject.map(ConfigValue.string) ?? .null
        } else {
            row["template"] = .null
        }
        return .object(row)
    }
}

extension TemplateCatalog {
    /// A preview for every usage type in every locale the templates name (and none, and `locale`
    /// when given), in that order.
    /// - Parameters:
    ///   - payload: the values templates are rendered with (`code`, ...); its `locale` is replaced per row.
    ///   - locale: one more locale to show, as a send with it would pick.
    public func previews(payload: ConfigValue, locale: String? = nil) -> [TemplatePreview] {
        var locales: [String?] = [nil]
        for named in templates.compactMap(\.locale) where !locales.contains(named) { locales.append(named) }
        if let locale, !locales.contains(locale) { locales.append(locale) }
        var rows: [TemplatePreview] = []
        for type in UsageType.allCases {
            for locale in locales {
                var values = payload.objectValue ?? [:]
                values["locale"] = locale.map(ConfigValue.string) ?? .null
                do {
                    let selection = try self.selection(for: type, locale: locale)
                    let subject = TemplateRenderer(payload: .object(values)).render(selection.template.subject, escaping: .headerLine)
                    rows.append(TemplatePreview(usageType: type, locale: locale, selection: selection, reason: selection.reason, subject: subject))
                } catch let error as ConnectorError {
                    rows.append(TemplatePreview(usageType: type, locale: locale, selection: nil,
                                                reason: error.message + (error.hint.map { " " + $0 } ?? ""), subject: nil))
                } catch {
                    rows.append(TemplatePreview(usageType: type, locale: locale, selection: nil, reason: "\(error)", subject: nil))
                }
            }
        }
        return rows
    }
}

/// A connector that renders its messages from a ``TemplateCatalog``: its templates can be previewed
/// (which one each usage type and locale would get) without sending.
public protocol TemplatedConnector: EmailConnector {
    /// The templates, in config order.
    var templates: TemplateCatalog { get }
}
