import ConnectorKit
import Foundation

/// Builds ``DirectoryConnector``s from `{"directory", "fromEmail", "templates"}`.
public struct DirectoryConnectorFactory: ConnectorFactory {
    /// Creates the factory.
    public init() {}

    /// Id "directory".
    public let metadata = ConnectorMetadata(
        id: "directory", name: "Directory", description: "Writes each email as a JSON file into a directory.",
        formItems: [.init(key: "directory", label: "Directory", required: true),
                    .init(key: "fromEmail", label: "From", required: true)])

    /// Every problem, each with its JSON path, via ConnectorKit's ConfigReader.
    public func validate(_ config: ConfigValue) -> [ConfigIssue] {
        read(config).issues
    }

    /// Builds a connector or throws `invalid_config` with every issue.
    public func makeConnector(config: ConfigValue) throws -> any EmailConnector {
        let (connector, issues) = read(config)
        guard let connector, issues.isEmpty else {
            throw ConnectorError(.invalidConfig, "The directory connector configuration has problems.", issues: issues)
        }
        return connector
    }

    private func read(_ config: ConfigValue) -> (DirectoryConnector?, issues: [ConfigIssue]) {
        var reader = ConfigReader(config)
        let directory = reader.string("directory", required: true, hint: "A directory this process may write to.")
        let from = reader.string("fromEmail", required: true)
        var templates: [EmailTemplate] = []
        for (index, element) in (reader.array("templates", required: true) ?? []).enumerated() {
            var item = ConfigReader(element, at: ConfigPath.root.appending("templates").appending(index: index))
            let usage = item.string("usageType", required: true).flatMap { name -> UsageType? in
                guard let type = UsageType(rawValue: name) else {
                    item.report("usageType", "\"\(name)\" is not a usage type; expected one of \(UsageType.allNames)")
                    return nil
                }
                return type
            }
            let contentType = EmailTemplate.ContentType(rawValue: item.string("contentType") ?? "text/plain")
            if contentType == nil { item.report("contentType", "expected text/plain or text/html") }
            let subject = item.string("subject", required: true)
            let content = item.string("content", required: true)
            item.finish()
            reader.report(contentsOf: item.issues)
            if let usage, let contentType, let subject, let content {
                templates.append(EmailTemplate(usageType: usage, contentType: contentType, subject: subject, content: content))
            }
        }
        reader.finish()
        guard let directory, let from else { return (nil, reader.issues) }
        return (DirectoryConnector(directory: URL(fileURLWithPath: directory), from: from,
                                   templates: TemplateCatalog(templates), metadata: metadata), reader.issues)
    }
}

/// Renders the template like any connector and writes the result as `<message id>.json`.
public struct DirectoryConnector: EmailConnector {
    let directory: URL
    let from: String
    let templates: TemplateCatalog
    /// Id "directory".
    public let metadata: ConnectorMetadata

    /// Writes the rendered email; the receipt's response names the file.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        let template = try templates.template(for: request.usageType, locale: request.locale)
        let renderer = TemplateRenderer(payload: request.payload)
        let messageID = "\(UUID().uuidString.lowercased())@directory.local"
        let record: ConfigValue = [
            "messageId": .string(messageID),
            "from": .string(from),
            "to": .array(request.to.map(ConfigValue.string)),
            "usageType": .string(request.usageType.rawValue),
            "subject": .string(renderer.render(template.subject, escaping: .headerLine)),
            "contentType": .string(template.contentType.rawValue),
            "content": .string(renderer.render(template.content, escaping: template.contentType == .html ? .html : .none)),
        ]
        let file = directory.appendingPathComponent("\(messageID).json")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(record.jsonText(pretty: true).utf8).write(to: file)
        } catch {
            throw ConnectorError(.general, "cannot write \(file.path): \(error.localizedDescription)",
                                 hint: "Check that the directory exists and is writable.")
        }
        return SendReceipt(messageID: messageID, accepted: request.to, response: "written to \(file.lastPathComponent)")
    }
}
