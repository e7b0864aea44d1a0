import ConnectorKit
import MIME

/// Reading `customHeaders`: names checked by the composer's own rule, values free of line breaks.
extension SMTPConnectorConfig {
    static func readHeaders(_ reader: inout ConfigReader) -> [Header] {
        guard let value = reader.value("customHeaders") else { return [] }
        guard let members = value.objectValue else {
            reader.report("customHeaders", "expected an object of header names to string values, found \(value.typeDescription)")
            return []
        }
        var headers: [Header] = []
        for name in members.keys.sorted() {
            let path = "customHeaders.\(name)"
            guard let text = members[name]?.stringValue else {
                reader.report(path, "expected a string, found \(members[name]?.typeDescription ?? "nothing")")
                continue
            }
            if let problem = MessageComposer.problem(withHeaderName: name) {
                reader.report(path, problem, hint: "Use fromEmail and replyTo for addresses; templates set the subject.")
            } else if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                reader.report(path, "contains a line break or NUL, which could inject headers")
            } else {
                headers.append(Header(name: name, value: text))
            }
        }
        return headers
    }
}
