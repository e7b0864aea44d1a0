import DevServer
import Foundation

/// `inbox`: a capture server on loopback that prints each message it receives and can keep it as
/// an .eml file. Stops on Ctrl-C, or after `--exit-after N` messages.
struct InboxCommand: CLICommand {
    static let name = "inbox"
    static let abstract = "a local capture server: prints and saves what it receives"
    static let listen = CLIOption.value("--listen", "HOST:PORT", default: "127.0.0.1:2525", help: "where it listens; port 0 picks a free one (printed first)")
    static let dir = CLIOption.value("--dir", "DIR", help: "save each message there as an .eml file")
    static let auth = CLIOption.value("--auth", "USER:PASS", help: "offer AUTH and accept this user")
    static let tls = CLIOption.flag("--tls", help: "offer STARTTLS with a self-signed certificate")
    static let exitAfter = CLIOption.value("--exit-after", "N", help: "stop after N messages")
    static let options = [listen, dir, auth, tls, exitAfter]

    let host: String
    let port: Int
    let directory: String?
    let users: [String: String]
    let tls: Bool
    let exitAfter: Int?

    init(arguments: ParsedArguments) throws {
        (host, port) = try ListenAddress.parse(arguments.required(Self.listen), option: Self.listen.name)
        directory = arguments.value(Self.dir)
        if let auth = arguments.value(Self.auth) {
            guard let separator = auth.firstIndex(of: ":") else { throw UsageError(message: "--auth takes USER:PASS") }
            users = [String(auth[..<separator]): String(auth[auth.index(after: separator)...])]
        } else {
            users = [:]
        }
        tls = arguments.flag(Self.tls)
        exitAfter = try arguments.value(Self.exitAfter).map {
            guard let value = Int($0), value > 0 else { throw UsageError(message: "--exit-after takes a positive number") }
            return value
        }
    }

    func run() async -> Int32 {
        var configuration = DevServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.tls = tls ? .startTLS : .none
        configuration.users = users
        configuration.saveDirectory = directory.map { URL(fileURLWithPath: $0) }
        let server: DevServer
        do {
            server = try DevServer(configuration)
            try server.start()
        } catch {
            Output.error("cannot listen on \(host):\(port): \(error)")
            return 1
        }
        defer { server.stop() }
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            Output.error("warning: listening on \(host), not loopback: anyone who can reach it can send to this inbox")
        }
        Output.line("inbox listening on \(host):\(server.port)" + (tls ? " (STARTTLS, self-signed certificate)" : "")
              + (users.isEmpty ? "" : " (AUTH required)") + (directory.map { ", saving to \($0)" } ?? ""))
        if tls, let directory {
            let caPath = URL(fileURLWithPath: directory).appendingPathComponent("inbox-ca.pem")
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? server.certificatePEM.write(to: caPath, atomically: true, encoding: .utf8)
            Output.line("trust it with tls.ca = \(caPath.path)")
        }
        // By number, not position: the server keeps only the newest messages in memory.
        var lastShown = 0, shown = 0
        while true {
            for message in server.messages where message.id > lastShown {
                let subject = Output.printable(message.decodedHeader("Subject") ?? "")
                let addresses = Output.printable("\(message.from) -> \(message.recipients.joined(separator: ", "))")
                Output.line("\(ISO8601DateFormatter().string(from: Date()))  \(addresses)  \"\(subject)\"  \(message.data.count) bytes"
                      + (message.tlsVersion.map { "  \($0)" } ?? ""))
                lastShown = message.id
                shown += 1
            }
            if let exitAfter, shown >= exitAfter { return 0 }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
