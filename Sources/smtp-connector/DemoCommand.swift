import ConnectorKit
import DevServer
import Foundation
import StandardConnectors

/// `demo`: starts a DevServer on loopback (STARTTLS + AUTH) and sends every usage type through
/// the real SMTP client, then shows what the server received. Needs no account and no network.
struct DemoCommand: CLICommand {
    static let name = "demo"
    static let abstract = "send all nine template types to an in-process SMTP server on loopback (no account needed)"
    static let json = CLIOption.jsonOutput
    static let events = CLIOption.eventLines
    static let options = [events, json]

    let json: Bool
    let events: Bool

    init(arguments: ParsedArguments) throws {
        json = arguments.flag(Self.json)
        events = arguments.flag(Self.events)
    }

    func run() async -> Int32 {
        do {
            // A non-ASCII password shows that AUTH carries UTF-8 credentials intact.
            let user = "demo@example.test", password = "correct-horse-päss"
            var serverConfiguration = DevServerConfiguration()
            serverConfiguration.users = [user: password]
            let server = try DevServer(serverConfiguration)
            try server.start()
            defer { server.stop() }
            print("DevServer listening on 127.0.0.1:\(server.port) (STARTTLS with a self-signed certificate, AUTH PLAIN LOGIN)")

            let config = DemoConfig.make(port: server.port, caPEM: server.certificatePEM, user: user, password: password)
            let registry = ConnectorRegistry.standard(presets: PresetCatalog(), events: EventPrinter.handler(enabled: events))
            let connector = try registry.makeConnector(id: "smtp", config: config)

            var failures = 0
            for (index, type) in UsageType.allCases.enumerated() {
                let payload = DemoConfig.payload(index: index)
                do {
                    let receipt = try await connector.send(EmailRequest(to: "ada@example.test", usageType: type, payload: payload))
                    print("sent  \(type.rawValue.padding(toLength: 25, withPad: " ", startingAt: 0)) -> \(receipt.response)")
                } catch {
                    failures += 1
                    print("FAIL  \(type.rawValue): \(error)")
                }
            }
            let received = await server.waitForMessages(count: UsageType.allCases.count - failures, timeout: 5)
            print("\nThe server received \(received.count) message(s):")
            for message in received {
                let tls = message.tlsVersion ?? "no TLS"
                print("  [\(tls), \(message.authenticatedUser == nil ? "no AUTH" : "authenticated")] \(message.recipients.joined(separator: ",")): \(message.decodedHeader("Subject") ?? "")")
            }
            if let first = received.first {
                print("\nFirst message as received:\n" + first.text.prefix(1500))
            }
            return failures == 0 && received.count == UsageType.allCases.count ? 0 : 1
        } catch {
            return Output.fail(error, json: json)
        }
    }
}
