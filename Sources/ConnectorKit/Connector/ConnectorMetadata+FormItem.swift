extension ConnectorMetadata {
    /// One field of a connector's configuration form, in the shape of Logto's `formItems`: the
    /// operator console renders its form from these, with no knowledge of any connector.
    ///
    /// ```swift
    /// FormItem(key: "auth.pass", label: "Password", group: .auth, confidential: true,
    ///          showWhen: [.init(key: "auth.type", equals: "login")])
    /// ```
    public struct FormItem: Sendable, Equatable {
        /// How the value is entered.
        public enum InputType: String, Sendable, Equatable, CaseIterable {
            /// One line of text.
            case text
            /// Several lines of text (PEM keys, long strings).
            case multilineText
            /// A number.
            case number
            /// On or off.
            case `switch`
            /// One of ``FormItem/options``.
            case select
            /// A JSON value (an object or array: templates, tls, customHeaders), edited as text.
            case json
        }

        /// Where the field is shown; the console groups fields in this order.
        public enum Group: String, Sendable, Equatable, CaseIterable {
            /// Host, port, preset and variant.
            case server
            /// TLS and STARTTLS settings.
            case security
            /// Credentials.
            case auth
            /// The sender address and name.
            case sender
            /// The message templates.
            case templates
            /// Timeouts, pooling, DKIM, headers and everything else.
            case advanced
        }

        /// One choice of a `select` field.
        public struct Option: Sendable, Equatable {
            /// The config value stored when chosen.
            public var value: ConfigValue
            /// What the operator sees.
            public var title: String

            /// Creates a choice.
            /// - Parameters:
            ///   - value: the config value stored when chosen.
            ///   - title: what the operator sees.
            public init(_ value: ConfigValue, title: String) {
                self.value = value
                self.title = title
            }
        }

        /// A condition for showing a field: the field at `key` has the value `value`.
        public struct Condition: Sendable, Equatable {
            /// The other field's config path.
            public var key: String
            /// The value it must have.
            public var value: ConfigValue

            /// Creates a condition.
            /// - Parameters:
            ///   - key: the other field's config path.
            ///   - value: the value it must have for this field to show.
            public init(key: String, equals value: ConfigValue) {
                self.key = key
                self.value = value
            }
        }

        /// The config's JSON path, e.g. "host" or "auth.pass"; the form input's `name`.
        public var key: String
        /// The label shown to an operator.
        public var label: String
        /// How the value is entered.
        public var type: InputType
        /// Where the field is shown.
        public var group: Group
        /// Example input shown in an empty field.
        public var placeholder: String?
        /// A sentence under the field: what it does, its default.
        public var description: String?
        /// The value used when the field is left empty; nil when there is none.
        public var defaultValue: ConfigValue?
        /// The choices of a `select` field.
        public var options: [Option]
        /// Whether the config must have it.
        public var required: Bool
        /// Whether the value is secret: shown masked, never sent back to a browser once set.
        public var isConfidential: Bool
        /// Show the field only when every condition holds; empty for always.
        public var showWhen: [Condition]

        /// Creates a form item.
        /// - Parameters:
        ///   - key: the config's JSON path.
        ///   - label: the label shown to an operator.
        ///   - type: how the value is entered (default text).
        ///   - group: where the field is shown (default advanced).
        ///   - placeholder: example input shown in an empty field.
        ///   - defaultValue: the value used when the field is left empty.
        ///   - options: the choices of a `select` field.
        ///   - required: whether the config must have it.
        ///   - confidential: whether the value is secret.
        ///   - description: a sentence under the field.
        ///   - showWhen: conditions on other fields for this one to show.
        public init(key: String, label: String, type: InputType = .text, group: Group = .advanced,
                    placeholder: String? = nil, defaultValue: ConfigValue? = nil, options: [Option] = [],
                    required: Bool = false, confidential: Bool = false, description: String? = nil,
                    showWhen: [Condition] = []) {
            self.key = key
            self.label = label
            self.type = type
            self.group = group
            self.placeholder = placeholder
            self.description = description
            self.defaultValue = defaultValue
            self.options = options
            self.required = required
            self.isConfidential = confidential
            self.showWhen = showWhen
        }

        /// A text field (the first-generation initializer, kept for third-party connectors).
        /// - Parameters:
        ///   - key: the config's JSON path.
        ///   - label: the label shown to an operator.
        ///   - required: whether the config must have it.
        ///   - isSecret: whether the value is secret.
        public init(key: String, label: String, required: Bool = false, isSecret: Bool) {
            self.init(key: key, label: label, required: required, confidential: isSecret)
        }

        /// Whether the value is secret (the first-generation name of ``isConfidential``).
        public var isSecret: Bool { isConfidential }
    }
}
