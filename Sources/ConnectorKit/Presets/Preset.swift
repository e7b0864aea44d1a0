/// Provider defaults that turn a full SMTP configuration into a three-line one.
///
/// A preset is data: default keys, variants (regions, ports), field aliases (SendGrid's `apiKey`),
/// required fields with hints, derived defaults (`fromEmail` from `auth.user`), hints for the
/// provider's well-known replies, and limits. Built-in presets are Swift values; catalog presets
/// are the same type decoded from JSON (see ``PresetCatalog``), where every key but `id` and `name`
/// may be left out (``EmptyWhenOmitted``).
public struct Preset: Sendable, Equatable, Codable {
    /// The id used in `"preset": "gmail"` and as a registry id.
    public var id: String
    /// The display name.
    public var name: String
    /// One sentence on what it is for.
    @EmptyWhenOmitted public var description: String
    /// The provider's SMTP documentation.
    @EmptyWhenOmitted public var docs: String
    /// The keys the preset sets (`host`, `port`, `secure`, `requireTLS`, `auth.user`, ...).
    @EmptyWhenOmitted public var defaults: ConfigValue
    /// Choices that override some defaults, such as regions or ports.
    @EmptyWhenOmitted public var variants: [VariantSet]
    /// Keys a user may write instead of the real ones.
    @EmptyWhenOmitted public var aliases: [Alias]
    /// Keys the resolved config must have, with how to get them.
    @EmptyWhenOmitted public var required: [RequiredField]
    /// Keys filled from other keys when the user leaves them out.
    @EmptyWhenOmitted public var derived: [DerivedField]
    /// Hints for the provider's well-known replies.
    @EmptyWhenOmitted public var replyHints: [ReplyHint]
    /// The provider's sending limits.
    @EmptyWhenOmitted public var limits: Limits
    /// Anything else an operator should know (deprecations, blocked ports).
    @EmptyWhenOmitted public var notes: [String]

    /// Creates a preset.
    public init(id: String, name: String, description: String, docs: String, defaults: ConfigValue,
                variants: [VariantSet] = [], aliases: [Alias] = [], required: [RequiredField] = [],
                derived: [DerivedField] = [], replyHints: [ReplyHint] = [], limits: Limits = Limits(), notes: [String] = []) {
        self.id = id
        self.name = name
        self.description = description
        self.docs = docs
        self.defaults = defaults
        self.variants = variants
        self.aliases = aliases
        self.required = required
        self.derived = derived
        self.replyHints = replyHints
        self.limits = limits
        self.notes = notes
    }

    /// A set of mutually exclusive choices selected by one config key.
    public struct VariantSet: Sendable, Equatable, Codable {
        /// The config key that selects a variant, e.g. "region" or "variant".
        public var key: String
        /// The choice when the user names none (and no port matches).
        public var defaultValue: String
        /// The choices, in display order.
        public var options: [Variant]

        /// Creates a variant set.
        public init(key: String, defaultValue: String, options: [Variant]) {
            self.key = key
            self.defaultValue = defaultValue
            self.options = options
        }
    }

    /// One choice: a name, what it changes, and optionally the port that selects it.
    public struct Variant: Sendable, Equatable, Codable {
        /// The value of the variant key, e.g. "us-east-1" or "starttls".
        public var name: String
        /// Keys this choice sets over the defaults.
        @EmptyWhenOmitted public var overrides: ConfigValue
        /// A user-given `port` equal to this selects the variant when the key is absent.
        public var port: Int?
        /// What it is, for `presets show`.
        @EmptyWhenOmitted public var description: String

        /// Creates a variant.
        public init(name: String, overrides: ConfigValue, port: Int? = nil, description: String = "") {
            self.name = name
            self.overrides = overrides
            self.port = port
            self.description = description
        }
    }

    /// `from` in the user's config is moved to `to`; `set` fills other keys (e.g. the fixed user name).
    public struct Alias: Sendable, Equatable, Codable {
        /// The alias key, e.g. "apiKey".
        public var from: String
        /// The real key path, e.g. "auth.pass".
        public var to: String
        /// Other key paths to fill when the alias is used and they are absent.
        @EmptyWhenOmitted public var set: [String: ConfigValue]

        /// Creates an alias.
        public init(from: String, to: String, set: [String: ConfigValue] = [:]) {
            self.from = from
            self.to = to
            self.set = set
        }
    }

    /// A key the resolved config must have, and optionally a shape its value must have.
    public struct RequiredField: Sendable, Equatable, Codable {
        /// The dot path, e.g. "auth.pass".
        public var path: String
        /// How to get the value.
        public var hint: String
        /// Not required when any of these paths is present (e.g. `auth.accessToken` instead of `auth.pass`).
        @EmptyWhenOmitted public var unless: [String]
        /// A regular expression the whole value must match, e.g. `\S+` for an API key.
        public var pattern: String?
        /// What to say when the value does not match `pattern`.
        public var patternHint: String?

        /// Creates a required field.
        public init(path: String, hint: String, unless: [String] = [], pattern: String? = nil, patternHint: String? = nil) {
            self.path = path
            self.hint = hint
            self.unless = unless
            self.pattern = pattern
            self.patternHint = patternHint
        }
    }

    /// `path` takes the value at `source` when the user leaves it out.
    public struct DerivedField: Sendable, Equatable, Codable {
        /// The key to fill, e.g. "fromEmail".
        public var path: String
        /// Where its value comes from, e.g. "auth.user".
        public var source: String

        /// Creates a derived field.
        public init(path: String, source: String) {
            self.path = path
            self.source = source
        }
    }

    /// A hint for a reply: matched by code, and optionally enhanced code and text.
    public struct ReplyHint: Sendable, Equatable, Codable {
        /// The reply code, e.g. 535.
        public var code: Int
        /// The enhanced code, e.g. "5.7.8", when it matters.
        public var enhancedCode: String?
        /// Text the reply must contain (case-insensitive), when it matters.
        public var contains: String?
        /// What to do.
        public var hint: String

        /// Creates a reply hint.
        public init(code: Int, enhancedCode: String? = nil, contains: String? = nil, hint: String) {
            self.code = code
            self.enhancedCode = enhancedCode
            self.contains = contains
            self.hint = hint
        }

        /// Whether a reply with this code, enhanced code and text is the one this hint is for.
        public func matches(code: Int, enhancedCode: String?, text: String) -> Bool {
            guard code == self.code else { return false }
            if let expected = self.enhancedCode, expected != enhancedCode { return false }
            if let needle = contains, !text.lowercased().contains(needle.lowercased()) { return false }
            return true
        }
    }

    /// Provider limits, shown to operators and used by pooling.
    public struct Limits: Sendable, Equatable, Codable {
        /// Messages one connection may carry.
        public var messagesPerConnection: Int?
        /// Recipients one message may have.
        public var recipientsPerMessage: Int?
        /// Other limits in words (daily quotas, rates).
        @EmptyWhenOmitted public var notes: [String]

        /// Creates limits.
        public init(messagesPerConnection: Int? = nil, recipientsPerMessage: Int? = nil, notes: [String] = []) {
            self.messagesPerConnection = messagesPerConnection
            self.recipientsPerMessage = recipientsPerMessage
            self.notes = notes
        }
    }

    /// The hint for a reply, if this preset knows one.
    public func hint(forReplyCode code: Int, enhancedCode: String?, text: String) -> String? {
        replyHints.first { $0.matches(code: code, enhancedCode: enhancedCode, text: text) }?.hint
    }
}

extension Preset.Limits: EmptyDecodable {
    /// No limits known.
    public static var emptyValue: Self { Self() }
}
