import ConnectorKit

extension Preset {
    /// SendGrid (Twilio): smtp.sendgrid.net, STARTTLS required on 587 (variants 465 implicit TLS
    /// and 2525); the user is the literal `apikey` and `apiKey` is an alias for `auth.pass`.
    public static let sendGrid = Preset(
        id: "sendgrid", name: "SendGrid",
        description: "Twilio SendGrid's SMTP relay, authenticated with an API key.",
        docs: "https://www.twilio.com/docs/sendgrid/for-developers/sending-email/integrating-with-the-smtp-api",
        defaults: ["host": "smtp.sendgrid.net", "port": 587, "secure": false, "requireTLS": true, "auth": ["user": "apikey"]],
        variants: [VariantSet(key: "variant", defaultValue: "starttls", options: [
            Variant(name: "starttls", overrides: ["port": 587, "secure": false, "requireTLS": true], port: 587,
                    description: "STARTTLS on port 587, required (recommended)"),
            Variant(name: "implicit-tls", overrides: ["port": 465, "secure": true], port: 465,
                    description: "TLS from the first byte on port 465"),
            Variant(name: "port-2525", overrides: ["port": 2525, "secure": false, "requireTLS": true], port: 2525,
                    description: "STARTTLS on port 2525, for networks that block 587"),
        ])],
        aliases: [Alias(from: "apiKey", to: "auth.pass", set: ["auth.user": "apikey"])],
        required: [
            RequiredField(path: "auth.pass", hint: "An API key with Mail Send permission (Settings > API Keys); give it as apiKey or auth.pass.",
                          pattern: "\\S+", patternHint: "The API key contains a space or a line break: paste it again without them."),
            RequiredField(path: "fromEmail", hint: "A verified single sender, or an address at a domain authenticated in SendGrid."),
        ],
        replyHints: [
            ReplyHint(code: 535, hint: "SendGrid refused the API key: auth.user must be the literal \"apikey\" and auth.pass an API key with Mail Send permission (no trailing space or newline)."),
            ReplyHint(code: 550, contains: "sender identity",
                      hint: "fromEmail is not a verified SendGrid sender: verify it under Settings > Sender Authentication, or authenticate its domain."),
            ReplyHint(code: 550, contains: "unauthenticated", hint: "SendGrid needs authentication: set apiKey."),
            ReplyHint(code: 451, contains: "credits", hint: "The SendGrid plan's credits are used up; upgrade or wait for the next period."),
            ReplyHint(code: 452, contains: "too many recipients", hint: "SendGrid's hourly recipient limit was reached; slow down."),
        ],
        limits: Limits(messagesPerConnection: 5_000, notes: ["Do not hard-code SendGrid's IP addresses; use the host name."]))
}
