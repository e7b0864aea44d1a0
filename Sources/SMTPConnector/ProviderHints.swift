import SMTP

/// Hints for replies that well-known providers send, matched by the server's host name.
/// A hint here replaces the generic one, because it says what that provider needs.
enum ProviderHints {
    private struct Rule: Sendable {
        var hosts: [String]
        var matches: @Sendable (SMTPReply) -> Bool
        var hint: String
    }

    private static let rules: [Rule] = [
        // Gmail, PROVIDERS.md: 535 5.7.8 BadCredentials, 534 5.7.9, 530 5.7.0, 550 5.4.5.
        Rule(hosts: ["gmail.com", "googlemail.com", "google.com"], matches: { $0.code == 535 },
             hint: "Gmail refused the login: use an app password (Google Account > Security > App passwords, needs 2-Step Verification) or OAuth2, not the account password. Do not retry in a loop."),
        Rule(hosts: ["gmail.com", "googlemail.com", "google.com"], matches: { $0.code == 534 || $0.enhancedCode == "5.7.9" },
             hint: "Gmail requires an application-specific password: create an app password and put it in auth.pass."),
        Rule(hosts: ["gmail.com", "googlemail.com", "google.com"], matches: { $0.enhancedCode == "5.4.5" },
             hint: "The Gmail account reached its daily sending limit; wait 24 hours or use a transactional provider."),
        // SendGrid: the user is the literal "apikey"; From must be a verified sender.
        Rule(hosts: ["sendgrid.net"], matches: { $0.code == 535 },
             hint: "SendGrid refused the API key: auth.user must be the literal \"apikey\" and auth.pass an API key with Mail Send permission (no trailing space or newline)."),
        Rule(hosts: ["sendgrid.net"], matches: { $0.code == 550 && $0.text.lowercased().contains("sender identity") },
             hint: "fromEmail is not a verified SendGrid sender: verify it under Settings > Sender Authentication, or authenticate its domain."),
        // Aliyun DirectMail: the user is the sender address; per-sender SMTP password.
        Rule(hosts: ["aliyun.com", "aliyuncs.com"], matches: { $0.code == 535 },
             hint: "DirectMail refused the login: auth.user must be the sender address and auth.pass its SMTP password (set in the DirectMail console), for the region of this host."),
        Rule(hosts: ["aliyun.com", "aliyuncs.com"], matches: { $0.code == 554 },
             hint: "DirectMail refused the message: check that the sender address and its domain are verified in the same region as the host."),
    ]

    /// The provider's hint for `reply` from `host`, if one is known.
    static func hint(for reply: SMTPReply, host: String) -> String? {
        let host = host.lowercased()
        return rules.first { rule in
            rule.hosts.contains { host == $0 || host.hasSuffix("." + $0) } && rule.matches(reply)
        }?.hint
    }
}
