import ConnectorKit
import Console
import DevServer
import Foundation
import NetworkIO
import SMTP
import SMTPConnector
import SMTPWire
import Synchronization
import Testing
import TestSupport

/// A host whose Tasks keep every thread of Swift's cooperative pool busy (as many spinning Tasks
/// as cores, none of them ever yielding) still gets its mail sent, its console answered and its
/// DevServer's captures: no I/O progress of ours waits for a free cooperative thread.
///
/// The checks run on a thread of the test's own, as async code on a ``CallingThreadExecutor``, so
/// that they too need no cooperative thread. Run alone (`scripts/test.sh` runs this target after
/// the rest): while it holds the pool, no other test in the process can make progress.
@Suite struct SaturatedPoolTests {
    /// Spinning Tasks that occupy every cooperative thread until stopped.
    final class Saturation: Sendable {
        let count = ProcessInfo.processInfo.activeProcessorCount
        private let spinning = Atomic<Int>(0)
        private let stop = Atomic<Bool>(false)
        private let canary = Atomic<Bool>(false)

        /// Queues a Task behind the spinners: it can run only once one of them stops.
        func launchCanary() {
            Task.detached { [self] in canary.store(true, ordering: .sequentiallyConsistent) }
        }

        /// Whether the canary Task ran.
        var canaryRan: Bool { canary.load(ordering: .sequentiallyConsistent) }

        func start() {
            for _ in 0..<count {
                Task.detached { [self] in
                    spinning.add(1, ordering: .sequentiallyConsistent)
                    var spins = 0
                    while !stop.load(ordering: .relaxed) { spins &+= 1 }  // never yields its thread
                    spinning.subtract(1, ordering: .sequentiallyConsistent)
                }
            }
        }

        /// Blocks (on a thread of ours) until every spinner holds a cooperative thread.
        func waitUntilSaturated() -> Bool {
            let deadline = Deadline.after(seconds: 60)
            while spinning.load(ordering: .sequentiallyConsistent) < count {
                if deadline.hasPassed { return false }
                usleep(1_000)
            }
            return true
        }

        var allSpinning: Bool { spinning.load(ordering: .sequentiallyConsistent) == count }

        func end() { stop.store(true, ordering: .relaxed) }
    }

    /// What the checks saw, reported once the pool is free again.
    struct Findings: Sendable {
        var saturated = false
        var stillSaturatedAfterwards = false
        var canaryRanDuringChecks = false
        var durations: [String: Duration] = [:]
        var failures: [String] = []
    }

    /// Generous timeouts: a check that needs them has stalled. The bound below sits well apart.
    static let timeouts = SMTPClientConfiguration.Timeouts(connection: 180, greeting: 180, socket: 180, dns: 180)
    /// Prompt, against the 180 s timeouts: each check takes well under a second when nothing stalls.
    static let bound = Duration.seconds(45)

    static func configuration(_ server: DevServer) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.timeouts = timeouts
        return configuration
    }

    @Test func sendsConsoleAndCapturesProgressWithEveryCooperativeThreadBusy() async throws {
        let server = try DevServer.started(users: ["u": "p"])
        defer { server.stop() }
        let pool = try SMTPPool(configuration: Self.configuration(server), limits: .init(maxConnections: 2))
        let client = try SMTPClient(configuration: Self.configuration(server))
        let held = try DevServer.started(users: ["u": "p"]) { $0.holdGreetings = true }
        defer { held.stop() }
        let heldClient = try SMTPClient(configuration: Self.configuration(held))
        // What a host app builds from an operator's Logto config: fresh connections (the default), and pooled.
        let fresh = try SMTPConnectorFactory().makeConnector(config: Self.connectorConfig(server, pool: false))
        let pooled = try SMTPConnectorFactory().makeConnector(config: Self.connectorConfig(server, pool: true))
        let request = EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "123456"])
        let console = try OperatorConsole(.init())
        try console.start()
        defer { console.stop() }
        let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["ada@example.test"])
        let message = Array("Subject: busy host\r\n\r\nhello\r\n".utf8)
        let port = console.port, token = console.token

        let saturation = Saturation()
        let findings: Findings = await withCheckedContinuation { continuation in
            saturation.start()
            let thread = Thread {
                let saturated = saturation.waitUntilSaturated()
                saturation.launchCanary()
                // Code that does wait for a cooperative thread would wait for ever: after 90 s the
                // watchdog ends the spinners, the stalled work goes on, and the durations tell.
                Thread { sleep(90); saturation.end() }.start()
                var findings = CallingThreadExecutor.run {
                    var findings = Findings()
                    findings.saturated = saturated
                    func timed(_ name: String, _ body: () async throws -> Void) async {
                        let start = ContinuousClock.now
                        do { try await body() } catch { findings.failures.append("\(name): \(error)") }
                        findings.durations[name] = start.duration(to: .now)
                    }
                    await timed("pooled send") { _ = try await pool.send(envelope: envelope, message: message) }
                    await timed("second pooled send (reused)") { _ = try await pool.send(envelope: envelope, message: message) }
                    await timed("fresh STARTTLS+AUTH send") { _ = try await client.send(envelope: envelope, message: message) }
                    await timed("connector send (Logto config, fresh connection)") { _ = try await fresh.send(request) }
                    await timed("connector send (pool: true)") { _ = try await pooled.send(request) }
                    await timed("connector shutdown") { await pooled.shutdown() }
                    await timed("DevServer capture") {
                        // The greeting is held for 0.3 s, so the wait starts before the message arrives.
                        async let delivery = heldClient.send(envelope: envelope, message: message)
                        Thread { usleep(300_000); held.releaseGreetings() }.start()
                        let captured = await held.waitForMessages(count: 1, timeout: 60)
                        _ = try await delivery
                        if captured.count < 1 { throw CheckFailed(text: "nothing captured") }
                    }
                    await timed("console API request") {
                        let response = try Self.get("/api/connectors", port: port, token: token)
                        if !response.hasPrefix("HTTP/1.1 200") { throw CheckFailed(text: "answered \(response.prefix(80).debugDescription)") }
                    }
                    await timed("pool shutdown") { await pool.shutdown() }
                    return findings
                }
                findings.stillSaturatedAfterwards = saturation.allSpinning
                findings.canaryRanDuringChecks = saturation.canaryRan
                saturation.end()
                continuation.resume(returning: findings)
            }
            thread.start()
        }
        try #require(findings.saturated, "the spinners never held all \(saturation.count) cooperative threads")
        #expect(findings.stillSaturatedAfterwards, "the spinners stopped before the checks ended (the 90 s watchdog: the checks stalled)")
        #expect(!findings.canaryRanDuringChecks, "a Task ran during the checks: the pool was not saturated")
        #expect(findings.failures.isEmpty, "\(findings.failures)")
        #expect(findings.durations.count == 9)
        for (name, duration) in findings.durations.sorted(by: { $0.key < $1.key }) {
            #expect(duration < Self.bound, "\(name) took \(duration): it waited for a cooperative thread (prompt is under a second; the timeouts are 60 s)")
        }
        #expect(server.messages.count == 5)
    }

    struct CheckFailed: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }

    static func connectorConfig(_ server: DevServer, pool: Bool) -> ConfigValue {
        let timeout = ConfigValue.number(60_000)
        return ["host": "127.0.0.1", "port": .number(Double(server.port)), "fromEmail": "no-reply@example.test",
                "requireTLS": true, "tls": ["ca": .string(server.certificatePEM), "servername": "localhost"],
                "auth": ["user": "u", "pass": "p"], "pool": .bool(pool),
                "connectionTimeout": timeout, "greetingTimeout": timeout, "socketTimeout": timeout,
                "templates": .array(["Register", "SignIn", "ForgotPassword", "Generic"].map { usage in
                    ["usageType": .string(usage), "contentType": "text/plain", "subject": "Code", "content": "{{code}}"]
                })]
    }

    /// A blocking HTTP GET with the console's token (on the calling thread).
    static func get(_ path: String, port: Int, token: String) throws -> String {
        let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 60)))
        defer { stream.close() }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
        try stream.write(Array(request.utf8), deadline: .after(seconds: 60))
        var received: [UInt8] = []
        while let bytes = try? stream.read(deadline: .after(seconds: 60)), !bytes.isEmpty { received += bytes }
        return String(decoding: received, as: UTF8.self)
    }
}
