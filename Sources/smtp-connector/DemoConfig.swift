import ConnectorKit

/// The embedded configuration the demo sends with: one template per usage type, the way an
/// operator writes them in Logto.
enum DemoConfig {
    static func make(port: Int, caPEM: String, user: String, password: String) -> ConfigValue {
        let templates: [ConfigValue] = UsageType.allCases.map { type in
            let html = type == .organizationInvitation || type == .forgotPassword
            return [
                "usageType": .string(type.rawValue),
                "contentType": html ? "text/html" : "text/plain",
                "subject": .string("\(type.rawValue): your code for {{ application.name }} ✉"),
                "content": .string(html
                    ? "<p>Hello {{ user.name }},</p><p>Your code is <b>{{code}}</b>.</p><p><a href=\"{{ link }}\">Continue</a></p>"
                    : "Hello {{ user.name }},\n\nYour verification code is {{code}}.\nIt expires in 10 minutes.\n"),
            ]
        }
        return [
            "host": "127.0.0.1",
            "port": .number(Double(port)),
            "fromEmail": "Demo App <no-reply@example.test>",
            "replyTo": "support@example.test",
            "requireTLS": true,
            "tls": ["ca": .string(caPEM), "servername": "localhost"],
            "auth": ["user": .string(user), "pass": .string(password)],
            "customHeaders": ["X-Demo": "smtp-connector"],
            "templates": .array(templates),
        ]
    }

    static func payload(index: Int) -> ConfigValue {
        [
            "code": .string(String(format: "%06d", (index + 1) * 111_111 % 1_000_000)),
            "application": ["name": "Acme Café"],
            "user": ["name": "Ada <Lovelace>"],
            "link": "https://example.test/continue?token=abc&step=2",
        ]
    }
}
