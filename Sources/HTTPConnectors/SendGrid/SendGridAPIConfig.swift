import ConnectorKit
import Foundation

/// The `sendgrid-api` connector's configuration: SendGrid's v3 Web API key and the message keys.
///
/// ```json
/// { "connector": "sendgrid-api", "apiKey": "SG.xxxx", "fromEmail": "Acme <no-reply@acme.com>",
///   "templates": [ ... ] }
/// ```
public struct SendGridAPIConfig: ConnectorConfiguration, Equatable {
    /// `apiKey`: a key with the Mail Send permission; never printed.
    public var apiKey: String
    /// `customHeaders`: more header fields, as an object of names and values.
    public var customHeaders: [String: String]
    var message: APIMessageSettings

    /// SendGrid's global API host.
    public static let globalEndpoint = "https://api.sendgrid.com"
    /// The host of SendGrid's EU data residency (for an EU subuser's key).
    public static let euEndpoint = "https://api.eu.sendgrid.com"

    /// How errors name this connector.
    public static let connectorName = "SendGrid API connector"
    /// Where its keys are described.
    public static let guide = "Docs/Connectors/SendGridAPI.md"

    /// The configuration when `config` is usable, and every problem, each with its JSON path.
    public static func read(_ config: ConfigValue) -> (SendGridAPIConfig?, issues: [ConfigIssue]) {
        var reader = ConfigReader(config)
        let apiKey = reader.string("apiKey", required: true, hint: "Create one in SendGrid under Settings > API Keys with Mail Send permission.")
        if let apiKey, apiKey.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            reader.report("apiKey", "holds a space or control character", hint: "Paste the key alone, without spaces or line breaks.")
        }
        let region = reader.optionalString("region")
        if let region, !["global", "eu"].contains(region) {
            reader.report("region", "expected \"global\" or \"eu\"", hint: "\"eu\" sends through \(euEndpoint) (EU data residency).")
        }
        let message = APIMessageSettings.read(&reader, defaultEndpoint: region == "eu" ? euEndpoint : globalEndpoint)
        let headers = readHeaders(&reader)
        reader.finish()
        guard let apiKey, let message else { return (nil, reader.issues) }
        return (SendGridAPIConfig(apiKey: apiKey, customHeaders: headers, message: message), reader.issues)
    }

    /// Headers SendGrid sets itself and refuses in `headers`.
    static let reservedHeaders: Set<String> = ["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type",
                                               "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"]

    private static func readHeaders(_ reader: inout ConfigReader) -> [String: String] {
        guard let value = reader.value("customHeaders") else { return [:] }
        guard let members = value.objectValue else {
            reader.report("customHeaders", "expected an object of header names and values, found \(value.typeDescription)")
            return [:]
        }
        var headers: [String: String] = [:]
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            guard let text = member.stringValue else {
                reader.report("customHeaders.\(name)", "expected a string, found \(member.typeDescription)")
                continue
            }
            if reservedHeaders.contains(name.lowercased()) {
                reader.report("customHeaders.\(name)", "is a header SendGrid sets itself", hint: "Remove it.")
            } else if name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != ":" })
                        || text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                reader.report("customHeaders.\(name)", "is not a valid header (printable name, one-line value)")
            } else {
                headers[name] = text
            }
        }
        return headers
    }
}
