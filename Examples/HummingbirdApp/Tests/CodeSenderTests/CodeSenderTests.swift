import CodeSender
import ConnectorKit
import DevServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

/// The app in-process on a free port, sending through a DevServer, driven over HTTP.
@Suite struct CodeSenderTests {
    static let templates: ConfigValue = .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
        ["usageType": .string($0), "contentType": "text/plain", "subject": "Your code", "content": "Your code is {{code}}."]
    })

    /// Starts the app with `config`, runs `body` with its base URL, then shuts it down gracefully.
    private func withApp(_ config: ConfigValue, store: CodeStore, _ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("code-sender-\(UUID().uuidString).json").path
        try config.jsonText().write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var settings = CodeAppSettings(configPath: path)
        settings.port = 0
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = try CodeApplication.build(settings, store: store) { port in listening.yield(port) }
        let group = ServiceGroup(services: [app], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    private func post(_ base: String, email: String, usageType: String = "SignIn") async throws -> (Int, ConfigValue) {
        var request = URLRequest(url: URL(string: base + "/codes")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(try (["email": .string(email), "usageType": .string(usageType)] as ConfigValue).jsonText().utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? ConfigValue.parse(json: data)) ?? .null)
    }

    private func config(_ server: DevServer, pool: Bool = false) -> ConfigValue {
        var config: [String: ConfigValue] = ["connector": "smtp", "host": "127.0.0.1", "port": .number(Double(server.port)),
                                             "ignoreTLS": true, "fromEmail": "Acme <codes@acme.test>", "templates": Self.templates]
        if pool { config["pool"] = true; config["maxConnections"] = 4 }
        return .object(config)
    }

    @Test func aPostedAddressGetsItsCodeByEmail() async throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .none
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let store = CodeStore()
        try await withApp(config(server), store: store) { base in
            let (status, body) = try await post(base, email: "alice@example.test")
            #expect(status == 202, "\(body)")
            let messages = await server.waitForMessages(count: 1, timeout: 60)
            let code = try #require(await store.code(for: "alice@example.test"))
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
            #expect(messages.first?.recipients == ["alice@example.test"])
            #expect(messages.first?.text.contains("Your code is \(code).") == true)
            #expect(body["messageId"]?.stringValue.map { messages.first?.text.contains($0) == true } == true)

            let (refused, error) = try await post(base, email: "alice@example.test", usageType: "Teleport")
            #expect(refused == 400 && error["error"]?["code"] == "invalid_request")
            let metrics = try String(decoding: await URLSession.shared.data(from: URL(string: base + "/metrics")!).0, as: UTF8.self)
            #expect(metrics.contains("email_connector_sends_total"), "\(metrics)")
        }
    }

    /// A provider that refuses answers 502 with the error's code; its reply (which names the host
    /// and says what the server said) is for the operator's log, not for whoever posted.
    @Test func aProvidersRefusalReachesTheClientAsACodeOnly() async throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .none
        configuration.serverName = "mx.internal.acme.test"
        configuration.faults = [.refuseGreeting]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        try await withApp(config(server), store: CodeStore()) { base in
            let (status, body) = try await post(base, email: "alice@example.test")
            #expect(status == 502, "\(body)")
            #expect(body["error"]?["code"]?.stringValue?.isEmpty == false, "\(body)")
            let text = try body.jsonText()
            #expect(!text.contains("mx.internal.acme.test") && !text.contains("421") && !text.contains("127.0.0.1"), "\(text)")
        }
    }

    /// 200 requests at once through a pooled connector: each address gets exactly one message,
    /// carrying the code the app issued to it.
    @Test func twoHundredConcurrentRequestsEachDeliverExactlyOnce() async throws {
        var configuration = DevServerConfiguration()
        configuration.tls = .none
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let store = CodeStore()
        let addresses = (0..<200).map { "user\($0)@example.test" }
        try await withApp(config(server, pool: true), store: store) { base in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for address in addresses { group.addTask { try await post(base, email: address).0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 202 }, "\(Set(statuses))")
            let messages = await server.waitForMessages(count: 200, timeout: 120)
            #expect(messages.count == 200)
            for address in addresses {
                let received = messages.filter { $0.recipients == [address] }
                let code = await store.code(for: address)
                #expect(received.count == 1, "\(address) got \(received.count) messages")
                #expect(code.map { received.first?.text.contains("Your code is \($0).") == true } == true, "\(address)")
            }
            #expect(server.peakConcurrentConnections <= 4, "the pool keeps at most maxConnections open")
        }
    }
}
