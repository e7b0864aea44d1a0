import DevServer
import Foundation
import Testing
import TestSupport

/// `--events` and failover configs from the command line.
@Suite struct EventsAndFailoverCLITests {
    static let password = "cli-fail0ver-päss"

    /// `{"failover": [primary, secondary]}` as JSON text.
    private func failoverConfig(_ primary: DevServer, _ secondary: DevServer) throws -> String {
        let members = try [primary, secondary].map { server in
            try JSONSerialization.jsonObject(with: Data(CLITests.config(port: server.port, caPEM: server.certificatePEM,
                                                                         password: Self.password).utf8))
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: ["failover": members, "cooldownSeconds": 30]), as: UTF8.self)
    }

    /// The JSON objects on `stderr`, one per line.
    private func events(_ stderr: String) throws -> [[String: Any]] {
        try stderr.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an event: \(line)")
        }
    }

    @Test func sendTestThroughFailoverNamesTheMemberAndTheHop() async throws {
        let primary = try DevServer.started(users: ["app": Self.password]) { $0.faults = [.refuseGreeting] }
        let secondary = try DevServer.started(users: ["app": Self.password])
        defer { primary.stop(); secondary.stop() }
        let config = try failoverConfig(primary, secondary)

        let text = try await CLITests.run(["send-test", "--config", "-", "--to", "ada@example.test", "--events"], stdin: config)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("delivered by failover[1] (smtp)"))
        #expect(text.stdout.contains("after failover[0] (smtp): invalid_response in greeting"), "\(text.stdout)")
        let events = try events(text.stderr)
        #expect(events.first?["event"] as? String == "send.started")
        let hop = try #require(events.first { $0["event"] as? String == "failover.hop" })
        #expect(hop["level"] as? String == "warning")
        #expect(hop["connector"] as? String == "failover")
        #expect(hop["replyCode"] as? Int == 421)
        let finished = try #require(events.last { $0["event"] as? String == "send.finished" && $0["connector"] as? String == "failover" })
        #expect(finished["outcome"] as? String == "delivered")
        #expect(finished["memberIndex"] as? Int == 1)
        #expect((finished["durationMs"] as? Double ?? 0) > 0)
        // Member events carry their member.
        #expect(events.contains { $0["event"] as? String == "tls.established" && $0["memberIndex"] as? Int == 1 })
        #expect(!(text.stdout + text.stderr).contains(Self.password))

        let json = try await CLITests.run(["send-test", "--config", "-", "--to", "ada@example.test", "--json"], stdin: config)
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let route = try #require(receipt["failover"] as? [String: Any])
        #expect(route["memberIndex"] as? Int == 1)
        let hops = try #require(route["hops"] as? [[String: Any]])
        #expect(hops.first?["phase"] as? String == "greeting")
        #expect(json.stderr.isEmpty)  // no --events, no events
        #expect(secondary.messages.count == 2)
    }

    @Test func anUnknownOutcomeIsReportedOnceAndNotResent() async throws {
        let primary = try DevServer.started(users: ["app": Self.password]) { $0.faults = [.dropAfterData] }
        let secondary = try DevServer.started(users: ["app": Self.password])
        defer { primary.stop(); secondary.stop() }
        let result = try await CLITests.run(["send-test", "--config", "-", "--to", "ada@example.test", "--json"],
                                            stdin: try failoverConfig(primary, secondary))
        #expect(result.status == 1)
        let error = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(error["code"] as? String == "outcome_unknown")
        #expect(primary.messages.count == 1)
        #expect(secondary.connectionCount == 0)
    }

    @Test func validateAndDoctorTakeFailoverConfigs() async throws {
        let primary = try DevServer.started(users: ["app": Self.password])
        let secondary = try DevServer.started(users: ["app": Self.password])
        defer { primary.stop(); secondary.stop() }
        var config = try failoverConfig(primary, secondary)
        let valid = try await CLITests.run(["validate", "--config", "-"], stdin: config)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")

        let doctor = try await CLITests.run(["doctor", "--config", "-", "--json"], stdin: config)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [String: Any])
        #expect((report["members"] as? [[String: Any]])?.count == 2)
        #expect(report["ok"] as? Bool == true)

        config = config.replacingOccurrences(of: #""pass":"\#(Self.password)""#, with: #""pass":7"#)
        let invalid = try await CLITests.run(["validate", "--config", "-", "--json"], stdin: config)
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains(#""path":"failover[0].auth.pass""#), "\(invalid.stdout)")
        #expect(invalid.stdout.contains(#""path":"failover[1].auth.pass""#))
    }

    @Test func demoAndBenchPrintEventsAsJSONLines() async throws {
        let demo = try await CLITests.run(["demo", "--events"])
        #expect(demo.status == 0)
        let events = try events(demo.stderr)
        #expect(events.filter { $0["event"] as? String == "send.finished" }.count == 9)
        #expect(events.allSatisfy { $0["level"] is String && $0["connector"] as? String == "smtp" })
        #expect(!demo.stderr.contains("correct-horse-päss"))

        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-events-\(UUID()).json")
        try CLITests.config(port: server.port, caPEM: server.certificatePEM, password: Self.password).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let counted = try await CLITests.run(["bench", "--config", file.path, "--messages", "20", "--connections", "2", "--count-events"])
        #expect(counted.status == 0, "\(counted.stderr)")
        let count = counted.stderr.split(separator: "\n").first { $0.hasPrefix("events=") }.flatMap { Int($0.dropFirst(7)) }
        #expect((count ?? 0) >= 20 * 3)  // at least started, phases and finished for each message
        let printed = try await CLITests.run(["bench", "--config", file.path, "--messages", "5", "--connections", "1", "--events"])
        #expect(printed.stderr.split(separator: "\n").filter { $0.contains(#""event":"send.finished""#) }.count == 5)
        #expect(!printed.stderr.contains(Self.password))
        let refused = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", "25", "--messages", "1", "--connections", "1", "--size", "100", "--events"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("need --config"))
    }
}
