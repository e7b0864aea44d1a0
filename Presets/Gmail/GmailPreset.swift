import ConnectorKit

extension Preset {
    /// Gmail and Google Workspace: smtp.gmail.com, implicit TLS on 465 (variant `starttls`: 587
    /// with STARTTLS required), an app password or XOAUTH2, `fromEmail` defaulting to `auth.user`.
    public static let gmail = Preset(
        id: "gmail", name: "Gmail",
        description: "Gmail and Google Workspace accounts, with an app password or OAuth2.",
        docs: "https://support.google.com/a/answer/176600",
        defaults: ["host": "smtp.gmail.com", "port": 465, "secure": true],
        variants: [VariantSet(key: "variant", defaultValue: "implicit-tls", options: [
            Variant(name: "implicit-tls", overrides: ["port": 465, "secure": true], port: 465,
                    description: "TLS from the first byte on port 465 (RFC 8314)"),
            Variant(name: "starttls", overrides: ["port": 587, "secure": false, "requireTLS": true], port: 587,
                    description: "STARTTLS on port 587, required"),
        ])],
        required: [
            RequiredField(path: "auth.user", hint: "Your Gmail or Google Workspace address."),
            RequiredField(path: "auth.pass",
                          hint: "An app password: Google Account > Security > App passwords (needs 2-Step Verification). For OAuth2 give auth.type \"oauth2\" and auth.accessToken instead.",
                          unless: ["auth.accessToken", "auth.refreshToken", "auth.type"]),
        ],
        derived: [DerivedField(path: "fromEmail", source: "auth.user")],
        replyHints: [
            ReplyHint(code: 535, enhancedCode: "5.7.8",
                      hint: "Gmail refused the login: use an app password (Google Account > Security > App passwords, needs 2-Step Verification) or OAuth2, not the account password. Do not retry in a loop."),
            ReplyHint(code: 534, enhancedCode: "5.7.9",
                      hint: "Gmail requires an application-specific password: create an app password and put it in auth.pass."),
            ReplyHint(code: 530, enhancedCode: "5.7.0",
                      hint: "Gmail requires TLS first: use the default implicit TLS on 465, or port 587 with requireTLS."),
            ReplyHint(code: 421, enhancedCode: "4.7.0",
                      hint: "Gmail is limiting this client for now (rate or TLS policy); wait and try again later."),
            ReplyHint(code: 550, enhancedCode: "5.4.5",
                      hint: "The account reached Gmail's daily sending limit (about 500 a day for consumer accounts, 2,000 for Workspace); wait 24 hours or use a transactional provider."),
            ReplyHint(code: 452, enhancedCode: "4.5.3", hint: "Too many recipients for Gmail: at most 100 per message."),
        ],
        limits: Limits(recipientsPerMessage: 100, notes: [
            "Workspace: 2,000 messages a day (500 on trial), 10,000 recipients a day.",
            "Consumer accounts: about 500 messages a day.",
        ]),
        notes: [
            "Gmail rewrites From to the signed-in account unless the address is a verified \"Send mail as\" alias.",
            "Password-only sign-in for Workspace ended in autumn 2024: use an app password or XOAUTH2 (scope https://mail.google.com/).",
        ])
}
