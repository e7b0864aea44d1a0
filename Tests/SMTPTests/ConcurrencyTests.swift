import DevServer
import Foundation
import Testing
@testable import SMTP
import SMTPWire

/// Many sends at once must not starve Swift's cooperative pool: each send blocks a thread of its
/// own, so an unrelated task keeps running on time.
@Suite struct ConcurrencyTests {
    @Test func twoHundredConcurrentSendsLeaveTheCooperativePoolFree() async throws {
        var serverConfiguration = DevServerConfiguration()
        serverConfiguration.users = ["u": "p"]
        // A slow server (20 ms before each reply, about 200 ms a send): the sends spend their time
        // waiting. On dedicated threads that costs the cooperative pool nothing; blocking its two
        // threads instead would starve the ticker for seconds, whatever else the machine is doing.
        serverConfiguration.replyDelay = 0.02
        let server = try DevServer(serverConfiguration)
        try server.start()
        defer { server.stop() }
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.timeouts = .init(connection: 30, greeting: 30, socket: 30)
        let client = try SMTPClient(configuration: configuration)

        // The ticker asks to wake every 10 ms and records how late each wake-up is.
        let ticker = Task { () -> (ticks: Int, worstLateness: Double) in
            var ticks = 0
            var worst = 0.0
            while !Task.isCancelled {
                let start = Date()
                try? await Task.sleep(nanoseconds: 10_000_000)
                worst = max(worst, Date().timeIntervalSince(start) - 0.010)
                ticks += 1
            }
            return (ticks, worst)
        }
        let started = Date()
        let results = await withTaskGroup(of: Bool.self) { group -> [Bool] in
            for index in 0..<200 {
                group.addTask {
                    let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["user\(index)@example.test"])
                    let message = Array("Subject: \(index)\r\n\r\nmessage \(index)\r\n".utf8)
                    return (try? await client.send(envelope: envelope, message: message)) != nil
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = Date().timeIntervalSince(started)
        ticker.cancel()
        let (ticks, worst) = await ticker.value

        #expect(results.filter { $0 }.count == 200)
        #expect(Set(server.messages.flatMap(\.recipients)).count == 200)
        // With blocking calls on the two cooperative threads the ticker would stall for the whole run.
        #expect(worst < 0.2, "the ticker was late by up to \(worst) s during a \(elapsed) s run")
        #expect(Double(ticks) > elapsed / 0.010 * 0.3, "only \(ticks) ticks in \(elapsed) s")
    }
}
