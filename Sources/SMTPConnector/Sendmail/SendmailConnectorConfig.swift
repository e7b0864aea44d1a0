import ConnectorKit
import Foundation
import MIME

/// The `sendmail` connector's configuration: the local MTA's sendmail program, and the same
/// message keys as the `smtp` connector (`fromEmail`, `replyTo`, `templates`, `customHeaders`,
/// `dkim`, `disableFileAccess`).
///
/// ```json
/// { "connector": "sendmail", "path": "/usr/sbin/sendmail", "fromEmail": "Acme <no-reply@acme.com>",
///   "templates": [ ... ] }
/// ```
public struct SendmailConnectorConfig: ConnectorConfiguration, Equatable {
    /// The sendmail program, an absolute path. Default `/usr/sbin/sendmail` (Postfix, Exim and
    /// sendmail all install it there).
    public var path: String
    /// Options placed before ours, e.g. `["-C", "/etc/postfix-out"]` for a second Postfix instance.
    /// Never `-t`, `-f`, `-i`, a mode (`-b...`) or `--`: the connector sets the envelope itself.
    public var arguments: [String]
    /// The sender (`fromEmail`), also the envelope sender given with `-f`.
    public var from: Mailbox
    /// `replyTo`.
    public var replyTo: Mailbox?
    /// The templates, one per usage type (and locale).
    public var templates: TemplateCatalog
    /// `customHeaders`, rendered as templates.
    public var customHeaders: [SMTPConnectorConfig.Header]
    /// Whether attachments and keys may not name files.
    public var disableFileAccess: Bool
    /// DKIM signing, when configured.
    public var dkim: SMTPConnectorConfig.DKIM?
    /// Seconds the program may take to accept the message before it is killed. Default 30.
    public var timeout: Double

    /// The default program.
    public static let defaultPath = "/usr/sbin/sendmail"

    /// How errors name this connector.
    public static let connectorName = "sendmail connector"
    /// Where its keys are described.
    public static let guide = "Docs/Connectors/Sendmail.md"

    /// The configuration when `config` is usable, and every problem, each with its JSON path.
    public static func read(_ config: ConfigValue) -> (SendmailConnectorConfig?, issues: [ConfigIssue]) {
        var reader = ConfigReader(config)
        let path = reader.optionalString("path") ?? defaultPath
        if !path.hasPrefix("/") {
            reader.report("path", "must be an absolute path (no shell looks the program up)", hint: "e.g. /usr/sbin/sendmail")
        }
        let arguments = readArguments(&reader)
        let from = reader.string("fromEmail", required: true, hint: "Set it to the sender address, e.g. \"Acme <no-reply@acme.com>\".")
            .flatMap { SMTPConnectorConfig.mailbox($0, key: "fromEmail", reader: &reader) }
        if let from, let problem = SendmailCommand.problem(with: from.wireAddress) {
            reader.report("fromEmail", problem)
        }
        let replyTo = reader.optionalString("replyTo").flatMap { SMTPConnectorConfig.mailbox($0, key: "replyTo", reader: &reader) }
        let templates = reader.templates()
        let disableFileAccess = reader.bool("disableFileAccess") ?? false
        let headers = SMTPConnectorConfig.readHeaders(&reader)
        let dkim = reader.object("dkim") {
            SMTPConnectorConfig.readDKIM(&$0, fileAccess: !disableFileAccess, customHeaderNames: headers.map(\.name))
        } ?? nil
        let timeout = reader.integer("timeout", in: 1...3_600_000).map { Double($0) / 1000 } ?? 30
        reader.finish()
        guard let from, let templates else { return (nil, reader.issues) }
        return (SendmailConnectorConfig(path: path, arguments: arguments, from: from, replyTo: replyTo, templates: templates,
                                        customHeaders: headers, disableFileAccess: disableFileAccess, dkim: dkim,
                                        timeout: timeout), reader.issues)
    }

    /// `arguments`: strings, none of which takes over what the connector decides.
    private static func readArguments(_ reader: inout ConfigReader) -> [String] {
        guard let elements = reader.array("arguments") else { return [] }
        var arguments: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                reader.report("arguments", "element \(index) is \(element.typeDescription); expected a string")
                continue
            }
            if let problem = SendmailCommand.problem(withOption: text) {
                reader.report("arguments", "element \(index) (\(text)) \(problem)",
                              hint: "Give only options such as -C DIR or -o NAME=VALUE; the connector passes -i, -f and the recipients.")
            }
            arguments.append(text)
        }
        return arguments
    }
}
