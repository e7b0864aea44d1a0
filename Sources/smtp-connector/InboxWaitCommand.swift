import ConnectorKit
import DevServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
import NetworkIO
#endif

/// `inbox wait`: blocks until a message for an address is in an inbox's capture folder or a
/// console's DevServer, then prints it, or just its code or first link, for a host app's
/// end-to-end test ("read the code we just sent").
struct InboxWaitCommand: CLICommand {
    static let name = "inbox wait"
    static let abstract = "wait for a message to ADDR in an inbox's --dir or a console's DevServer; print it, its code or its first link"
    /// The environment variable that may hold the console's token.
    static let tokenVariable = "SMTP_CONNECTOR_CONSOLE_TOKEN"
    static let discussion = """
        Give exactly one of --dir and --console. The console's token comes from --token-file or
        \(tokenVariable), never from the URL (any local user can read a command line).
        """
    static let to = CLIOption.value("--to", "ADDR", required: true, help: "the recipient to wait for")
    static let dir = CLIOption.value("--dir", "DIR", help: "an inbox's capture folder")
    static let console = CLIOption.value("--console", "URL", help: "a console run with --dev-server, e.g. http://127.0.0.1:8025/")
    static let tokenFile = CLIOption.value("--token-file", "FILE", help: "a file holding the console's token (with --console)")
    static let timeout = CLIOption.value("--timeout", "SECONDS", default: "30", help: "how long to wait")
    static let extract = CLIOption.value("--extract", "code|link", help: "print only the code or the first link")
    static let json = CLIOption.jsonOutput
    static let options = [to, dir, console, tokenFile, timeout, extract, json]

    enum Extract: String { case code, link }

    let recipient: String
    let source: CapturedMail.Source
    let timeout: Double
    let extract: Extract?
    let json: Bool

    init(arguments: ParsedArguments) throws {
        recipient = try arguments.required(Self.to).lowercased()
        switch (arguments.value(Self.dir), arguments.value(Self.console)) {
        case (let directory?, nil):
            if arguments.isGiven(Self.tokenFile) { throw UsageError(message: "--token-file goes with --console, not --dir") }
            source = .directory(directory)
        case (nil, let url?):
            source = try Self.console(url: url, tokenFile: arguments.value(Self.tokenFile))
        default: throw UsageError(message: "give exactly one of --dir DIR (an inbox's capture folder) or --console URL")
        }
        guard let seconds = Double(try arguments.required(Self.timeout)), seconds > 0 else {
            throw UsageError(message: "--timeout takes a positive number of seconds")
        }
        timeout = seconds
        extract = try arguments.value(Self.extract).map {
            guard let value = Extract(rawValue: $0) else { throw UsageError(message: "--extract takes code or link") }
            return value
        }
        json = arguments.flag(Self.json)
    }

    static func console(url: String, tokenFile: String?) throws -> CapturedMail.Source {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty else {
            throw UsageError(message: "--console takes the console's URL, e.g. http://127.0.0.1:8025/")
        }
        if components.queryItems?.contains(where: { $0.name == "token" }) == true {
            throw UsageError(message: "--console: leave the token out of the URL (any local user can read a command line); "
                + "give it in \(tokenVariable) or in a file named by --token-file")
        }
        let token: String
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw UsageError(message: "--token-file: cannot read \(tokenFile)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = ProcessInfo.processInfo.environment[tokenVariable]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        guard !token.isEmpty else {
            throw UsageError(message: "--console needs the console's token: set \(tokenVariable) or give --token-file FILE")
        }
        return .console(base: "http://\(SocketAddress.authority(host: host, port: components.port ?? 80))", token: token)
    }

    func run() async -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                if let mail = try await CapturedMail.newest(to: recipient, in: source) { return report(mail) }
            } catch {
                return Output.fail(error, json: json)
            }
            guard Date() < deadline else {
                return Output.fail(ConnectorError(.general, "No message to \(recipient) arrived within \(Int(timeout)) s.",
                                                  hint: "Check that the app sends to this inbox (host and port), or raise --timeout."), json: json)
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    private func report(_ mail: CapturedMail) -> Int32 {
        let content = mail.content
        let body = content.text ?? content.html.map(Self.strippingTags) ?? ""
        let code = (content.text.flatMap(MessageCheck.firstCode(in:))) ?? content.html.map(Self.strippingTags).flatMap(MessageCheck.firstCode(in:))
        let link = Self.firstLink(in: content)
        if let extract {
            guard let value = extract == .code ? code : link else {
                return Output.fail(ConnectorError(.general, "The message to \(recipient) has no \(extract == .code ? "code of 4 to 8 digits" : "http(s) link")."), json: json)
            }
            if json { Output.json([extract.rawValue: .string(value)]) } else { Output.line(value) }
            return 0
        }
        if json {
            Output.json(["from": .string(content.header("From") ?? ""), "to": .string(content.header("To") ?? ""),
                         "subject": .string(content.header("Subject") ?? ""), "text": .string(body),
                         "code": code.map(ConfigValue.string) ?? .null, "link": link.map(ConfigValue.string) ?? .null])
        } else {
            // The headers as printable text (a subject with ESC sequences must not reach the terminal
            // raw); the body's line breaks stay, its other control characters do not.
            let headers = ["From", "To", "Subject"].map { "\($0): \(Output.printable(content.header($0) ?? ""))" }
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { Output.printable(String($0)) }
            Output.line(headers.joined(separator: "\n") + "\n\n" + lines.joined(separator: "\n"))
        }
        return 0
    }

    /// The first http(s) URL: an href in the HTML part, else one in the text.
    static func firstLink(in content: MessageContent) -> String? {
        if let html = content.html, let match = html.firstMatch(of: #/href\s*=\s*["'](https?://[^"']+)["']/#) {
            return String(match.output.1).replacingOccurrences(of: "&amp;", with: "&")
        }
        return content.text?.firstMatch(of: #/https?://[^\s<>"]+/#).map { String($0.output) }
    }

    static func strippingTags(_ html: String) -> String {
        html.replacing(#/<[^>]*>/#, with: " ")
    }
}
