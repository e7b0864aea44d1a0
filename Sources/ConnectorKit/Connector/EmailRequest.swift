/// One email a host app asks a connector to send.
public struct EmailRequest: Sendable, Equatable {
    /// The recipients' addresses (at least one), shown in `To`.
    public var to: [String]
    /// Copy recipients, shown in `Cc`.
    public var cc: [String]
    /// Blind-copy recipients: in the SMTP envelope only, never in a header.
    public var bcc: [String]
    /// Which template to use.
    public var usageType: UsageType
    /// The values for the template's placeholders: `code`, `link`, `locale`, `application`,
    /// `organization`, `user`, `inviter` or anything else the templates refer to.
    public var payload: ConfigValue
    /// The locale to prefer when templates carry one (e.g. "fr-CA"); `payload.locale` is used when nil.
    public var locale: String?
    /// Files to attach, and inline images.
    public var attachments: [EmailAttachment]
    /// Content to send instead of the configured template for `usageType`.
    public var content: EmailContent?

    /// Creates a request.
    /// - Parameters:
    ///   - to: one address or several.
    ///   - usageType: the template's usage type.
    ///   - payload: a JSON object of template values, e.g. `["code": "123456"]`.
    ///   - locale: the preferred template locale.
    ///   - cc: copy recipients.
    ///   - bcc: blind-copy recipients (envelope only).
    ///   - attachments: files and inline images.
    ///   - content: subject and bodies that replace the template.
    public init(to: [String], usageType: UsageType, payload: ConfigValue = [:], locale: String? = nil,
                cc: [String] = [], bcc: [String] = [], attachments: [EmailAttachment] = [], content: EmailContent? = nil) {
        self.to = to
        self.attachments = attachments
        self.content = content
        self.cc = cc
        self.bcc = bcc
        self.usageType = usageType
        self.payload = payload
        self.locale = locale
    }

    /// Creates a request for a single recipient.
    public init(to address: String, usageType: UsageType, payload: ConfigValue = [:], locale: String? = nil,
                attachments: [EmailAttachment] = [], content: EmailContent? = nil) {
        self.init(to: [address], usageType: usageType, payload: payload, locale: locale,
                  attachments: attachments, content: content)
    }
}
