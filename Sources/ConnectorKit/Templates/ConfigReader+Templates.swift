/// Reading `templates`, as Logto's connectors write them: usage types, content types and locales.
extension ConfigReader {
    /// The `templates` array: one template per usage type (and locale), each checked, with
    /// Logto's required usage types present. Every problem is reported at its path
    /// (`templates[2].contentType`); nil when any template is unusable.
    public mutating func templates() -> TemplateCatalog? {
        guard let elements = array("templates", required: true) else { return nil }
        var templates: [EmailTemplate] = []
        var present: Set<UsageType> = []
        var valid = true
        for (index, element) in elements.enumerated() {
            var item = ConfigReader(element, at: ConfigPath.root.appending("templates").appending(index: index))
            let usageText = item.string("usageType", required: true)
            let usage = usageText.flatMap(UsageType.init(rawValue:))
            if let usage { present.insert(usage) }
            if let usageText, usage == nil {
                item.report("usageType", "\"\(usageText)\" is not a usage type; expected one of \(UsageType.allNames)")
            }
            // Required, as in Logto: a template without it is rejected there, so it is here.
            let contentText = item.string("contentType", required: true, hint: "Set it to \"text/plain\" or \"text/html\".")
            let contentType = contentText.flatMap { EmailTemplate.ContentType(rawValue: $0.lowercased()) }
            if let contentText, contentType == nil {
                item.report("contentType", "expected text/plain or text/html, found \"\(contentText)\"")
            }
            let subject = item.string("subject", required: true)
            if let subject, subject.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                item.report("subject", "must be a single line (it becomes the Subject header)")
            }
            let content = item.value("content", required: true).flatMap { value -> String? in
                guard let text = value.stringValue else {
                    item.report("content", "expected a string, found \(value.typeDescription)")
                    return nil
                }
                return text
            }
            let locale = item.string("locale")
            let textContent = item.string("textContent")
            let generateText = item.bool("generateText") ?? false
            if contentType == .plainText, textContent != nil || generateText {
                item.report(textContent != nil ? "textContent" : "generateText", "only applies to text/html templates")
            }
            item.finish()
            absorb(item)
            if let usage, let contentType, let subject, let content, item.issues.isEmpty {
                templates.append(EmailTemplate(usageType: usage, contentType: contentType, subject: subject,
                                               content: content, locale: locale, textContent: textContent,
                                               generateText: generateText))
            } else {
                valid = false
            }
        }
        for required in UsageType.required where !present.contains(required) {
            report("templates", "has no \(required.rawValue) template",
                          hint: "Logto requires templates for \(UsageType.required.map(\.rawValue).joined(separator: ", ")).")
        }
        if valid {
            var seen: Set<String> = []
            for (index, template) in templates.enumerated() {
                let key = "\(template.usageType.rawValue)|\(template.locale?.lowercased() ?? "")"
                if !seen.insert(key).inserted {
                    report("templates[\(index)]", "repeats usageType \(template.usageType.rawValue)\(template.locale.map { " for locale \($0)" } ?? "")",
                                  hint: "Keep one template per usage type and locale.")
                }
            }
        }
        return valid ? TemplateCatalog(templates) : nil
    }
}
