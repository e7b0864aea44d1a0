import DevServer
import Foundation
import Testing
import TestSupport

/// `bench`'s modes: implicit TLS, raw, the connector path, latency and usage errors.
@Suite struct BenchModesTests {
    static func caFile(_ server: DevServer) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ca-\(UUID().uuidString).pem").path
        try server.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func secureSpeaksImplicitTLSAndRawSendsOneComposedMessage() async throws {
        let server = try DevServer.started(users: [:]) { $0.tls = .implicit }
        defer { server.stop() }
        let ca = try Self.caFile(server)
        defer { try? FileManager.default.removeItem(atPath: ca) }
        let result = try await CLITests.run(["bench", "--host", "localhost", "--port", String(server.port), "--secure", "--ca", ca,
                                             "--messages", "20", "--connections", "2", "--size", "500", "--raw", "--latency"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("sent=20 errors=0 inner_s=") == true)
        #expect(result.stderr.contains("latency p50="))
        #expect(result.stderr.contains(" p99="))
        #expect(server.messages.count == 20)
        #expect(server.messages.allSatisfy { $0.tlsVersion != nil })
        // Raw: the same message every time, as smtp-source sends one blob.
        #expect(Set(server.messages.map(\.data)).count == 1)
    }

    @Test func composedMessagesAreEachDistinct() async throws {
        let server = try DevServer.started(users: [:]) { $0.tls = .none }
        defer { server.stop() }
        let result = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(server.port),
                                             "--messages", "10", "--connections", "2", "--size", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(server.messages.map(\.data)).count == 10)
    }

    @Test func configRunsTheWholeConnectorPathThroughItsPool() async throws {
        let server = try DevServer.started(users: ["app": "pw"]) { $0.tls = .implicit }
        defer { server.stop() }
        let config = try CLITests.config(port: server.port, caPEM: server.certificatePEM, password: "pw")
            .replacingOccurrences(of: #""requireTLS":true"#, with: #""secure":true"#)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-config-\(UUID().uuidString).json").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await CLITests.run(["bench", "--config", path, "--to", "ops@example.test", "--messages", "30", "--connections", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("sent=30 errors=0") == true)
        #expect(server.messages.count == 30)
        #expect(server.messages.allSatisfy { $0.recipients == ["ops@example.test"] && $0.authenticatedUser == "app" })
        #expect(server.connectionCount <= 3)  // pooled: --connections is maxConnections
        // The Generic template with a distinct code each time.
        let codes = Set(server.messages.compactMap { String(decoding: $0.data, as: UTF8.self).firstMatch(of: #/Code (\d{6})/#)?.1 }.map(String.init))
        #expect(codes.count == 30)
    }

    @Test(arguments: [["--secure", "--starttls"], ["--raw", "--config", "x.json"], ["--to", "a@b.c"]])
    func conflictingOptionsAreUsageErrors(_ extra: [String]) async throws {
        let result = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", "25", "--messages", "1", "--connections", "1",
                                             "--size", "10"] + extra)
        #expect(result.status == 2)
    }
}
