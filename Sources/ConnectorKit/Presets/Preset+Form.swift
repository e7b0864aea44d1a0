extension Preset {
    /// The preset's short form, then the rest of `base` (the generic connector's form).
    ///
    /// The short form is what the operator must decide: each variant set as a select (Gmail's
    /// `variant`), each required field (or the alias a user writes instead, SendGrid's `apiKey`)
    /// with the preset's hint, and each derived field (`fromEmail`, defaulting to `auth.user`).
    /// After it come the templates, then everything else from `base` in the advanced group, so a
    /// preset's defaults can still be overridden. `host` and `port` come from the preset.
    /// - Parameter base: the form of the connector the preset configures.
    public func formItems(over base: [ConnectorMetadata.FormItem]) -> [ConnectorMetadata.FormItem] {
        typealias FormItem = ConnectorMetadata.FormItem
        var short: [FormItem] = variants.map { set in
            FormItem(key: set.key, label: Self.label(for: set.key), type: .select, group: .server,
                     defaultValue: .string(set.defaultValue),
                     options: set.options.map { FormItem.Option(.string($0.name), title: $0.description.isEmpty ? $0.name : "\($0.name): \($0.description)") },
                     description: "The \(name) setup to use; each choice sets the port and TLS mode.")
        }
        for field in required {
            let key = aliases.first { $0.to == field.path }?.from ?? field.path
            var item = base.first { $0.key == key }
                ?? FormItem(key: key, label: Self.label(for: key), group: ConfidentialValues.isConfidential(path: key) ? .auth : .server,
                            confidential: ConfidentialValues.isConfidential(path: key))
            item.required = field.unless.isEmpty
            item.description = field.hint
            short.append(item)
        }
        for field in derived {
            guard var item = base.first(where: { $0.key == field.path }) else { continue }
            item.required = false
            item.placeholder = "defaults to \(field.source)"
            short.append(item)
        }
        let taken = Set(short.map(\.key)).union(["host", "port", "preset"]).union(aliases.map(\.to))
        let rest = base.filter { !taken.contains($0.key) }
        // What the preset already supplies (the DevServer's templates) is no longer the operator's to give.
        let templates = rest.filter { $0.group == .templates }.map { item -> FormItem in
            var supplied = item
            if defaults.value(atPath: item.key) != nil { supplied.required = false }
            return supplied
        }
        let advanced = rest.filter { $0.group != .templates }.map { item -> FormItem in
            var moved = item
            moved.group = .advanced
            return moved
        }
        return short + templates + advanced
    }

    /// `apiKey` -> "API key", `auth.user` -> "User", `region` -> "Region".
    static func label(for key: String) -> String {
        let last = key.split(separator: ".").last.map(String.init) ?? key
        var words: [String] = []
        var current = ""
        for character in last {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        words.append(current)
        let text = words.map { $0.lowercased() == "api" ? "API" : $0.lowercased() }.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}
