import ConnectorKit
import DevServer

/// The console's DevServer offered as a preset ("Local DevServer"): pick it, give a From
/// address, and a test send lands in the console's inbox over STARTTLS with the DevServer's own
/// certificate trusted.
enum DevServerPreset {
    /// The preset id.
    static let id = "devserver"

    /// The preset for `server`, which must be listening.
    static func make(for server: DevServer) -> Preset {
        Preset(
            id: id, name: "Local DevServer",
            description: "The console's capture server on loopback: nothing leaves this machine; read what arrives in the Inbox.",
            docs: "Docs/Console.md",
            defaults: [
                "host": .string(server.configuration.host),
                "port": .number(Double(server.port)),
                "requireTLS": true,
                "tls": ["ca": .string(server.certificatePEM), "servername": "localhost"],
                "templates": .array(templates),
            ],
            required: [Preset.RequiredField(path: "fromEmail", hint: "The sender address, e.g. \"Acme <no-reply@acme.test>\".")])
    }

    /// One plain-text template per usage type, and an HTML one for password resets and invitations.
    static var templates: [ConfigValue] {
        UsageType.allCases.map { type in
            let html = type == .forgotPassword || type == .organizationInvitation
            return [
                "usageType": .string(type.rawValue),
                "contentType": html ? "text/html" : "text/plain",
                "subject": .string("\(type.rawValue): your code is {{code}}"),
                "content": .string(html
                    ? "<p>Hello,</p><p>Your code is <b>{{code}}</b>. It expires in 10 minutes.</p>"
                    : "Hello,\n\nYour verification code is {{code}}.\nIt expires in 10 minutes.\n"),
            ]
        }
    }
}
