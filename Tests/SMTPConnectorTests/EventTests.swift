import ConnectorKit
import DevServer
import Foundation
import Testing
import TestSupport
@testable import SMTPConnector

/// What the `smtp` connector reports to its event handler: every step with its duration, and
/// never a secret.
@Suite struct EventTests {
    static let password = "ev3nts-pässword-42"
    static let token = "ya29.event-test-access-token"
    private let request = EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "918273"])

    private func connector(_ server: DevServer, _ events: EventRecorder, _ extra: [String: ConfigValue] = [:]) throws -> any EmailConnector {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["auth"] = ["user": "app", "pass": .string(Self.password)]
        for (key, value) in extra { config[key] = value }
        return try SMTPConnectorFactory(log: { _ in }).makeConnector(config: .object(config), events: events.handler)
    }

    /// Every event as the CLI prints it, joined: what a secret must never appear in.
    private func text(_ events: EventRecorder) -> String {
        events.all.map { (try? $0.jsonValue.jsonText()) ?? "" }.joined(separator: "\n")
    }

    @Test func aSendReportsEachStepWithItsDuration() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let events = EventRecorder()
        let receipt = try await connector(server, events).send(request)
        let names = events.all.map(\.name)
        #expect(names.first == .sendStarted)
        #expect(names.last == .sendFinished)
        for name: ConnectorEvent.Name in [.connectionOpened, .tlsEstablished, .authMechanism, .connectionClosed] {
            #expect(names.contains(name), "\(name) missing from \(names)")
        }
        #expect(events.all.allSatisfy { $0.connector == "smtp" })
        let tls = try #require(events.named(.tlsEstablished).first)
        #expect(tls.metadata["tlsVersion"]?.description.hasPrefix("TLSv1.") == true)
        #expect(tls.metadata["cipher"] != nil)
        #expect(events.named(.authMechanism).first?.metadata["mechanism"] == "CRAM-MD5")
        let phases = events.named(.phaseFinished)
        let phaseNames = phases.compactMap { $0.metadata["phase"]?.description }
        #expect(phaseNames == ["connect", "greeting", "ehlo", "tls", "ehlo", "auth", "mail", "rcpt", "data", "quit"])
        #expect(phases.allSatisfy { $0.duration != nil && $0.metadata["ok"] == true })
        let finished = try #require(events.named(.sendFinished).first)
        #expect(finished.level == .info)
        #expect(finished.metadata["outcome"] == "delivered")
        #expect(finished.metadata["messageId"] == .string(receipt.messageID))
        #expect(finished.metadata["usageType"] == "SignIn")
        let total = try #require(finished.durationMilliseconds)
        #expect(total > 0)
        #expect(try #require(events.named(.connectionOpened).first?.durationMilliseconds) <= total)
        let closed = try #require(events.named(.connectionClosed).first)
        #expect(closed.metadata["quit"] == true)
        #expect(closed.metadata["messages"] == 1)
        #expect(!text(events).contains(Self.password))
        #expect(!text(events).contains("918273"))  // a template value, never in events
    }

    @Test func aRefusedLoginIsAFailedSendWithItsPhaseAndReply() async throws {
        let server = try DevServer.started(users: ["app": "another"])
        defer { server.stop() }
        let events = EventRecorder()
        await #expect(throws: ConnectorError.self) { try await connector(server, events).send(request) }
        let finished = try #require(events.named(.sendFinished).first)
        #expect(finished.level == .error)
        #expect(finished.metadata["outcome"] == "failed")
        #expect(finished.metadata["code"] == "authorization_failed")
        #expect(finished.metadata["phase"] == "auth")
        #expect(finished.metadata["replyCode"] == 535)
        #expect(events.named(.phaseFinished).last { $0.metadata["phase"] == "auth" }?.metadata["ok"] == false)
        #expect(!text(events).contains(Self.password))
    }

    @Test func aDropAfterTheBodyIsReportedAsAnUnknownOutcome() async throws {
        let server = try DevServer.started(users: ["app": Self.password]) { $0.faults = [.dropAfterData] }
        defer { server.stop() }
        let events = EventRecorder()
        await #expect(throws: ConnectorError.self) { try await connector(server, events).send(request) }
        let finished = try #require(events.named(.sendFinished).first)
        #expect(finished.metadata["outcome"] == "outcome_unknown")
        #expect(finished.metadata["phase"] == "data")
        #expect(events.named(.connectionClosed).first?.metadata["quit"] == false)
    }

    @Test func aPooledConnectionReportsItsReuse() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let events = EventRecorder()
        // An idle timeout of 10 minutes: on a machine slowed by a sanitizer and the whole suite, the
        // default 30 s once passed between the two sends, and the pool closed the idle connection.
        let connector = try connector(server, events, ["pool": true, "maxConnections": 1, "keepAlive": 600_000])
        _ = try await connector.send(request)
        _ = try await connector.send(request)
        await connector.shutdown()
        #expect(events.named(.connectionOpened).count == 1)
        #expect(events.named(.connectionReused).count == 1)
        let closed = events.named(.connectionClosed)
        #expect(closed.count == 1)
        #expect(closed.first?.metadata["messages"] == 2)
        #expect(events.named(.sendFinished).count == 2)
        // The second message's phases follow the reuse: no connect, greeting or AUTH again.
        let afterReuse = events.all.drop { $0.name != .connectionReused }.filter { $0.name == .phaseFinished }
        #expect(afterReuse.compactMap { $0.metadata["phase"]?.description } == ["mail", "rcpt", "data", "quit"])
    }

    @Test func debugTurnsTheMaskedTranscriptIntoEventsToo() async throws {
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": Self.token] }
        defer { server.stop() }
        let events = EventRecorder()
        let logged = TestSupport.LineCollector()
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "accessToken": .string(Self.token)]
        config["debug"] = true
        let connector = try SMTPConnectorFactory(log: { logged.append($0) }).makeConnector(config: .object(config), events: events.handler)
        _ = try await connector.send(request)
        let transcript = events.named(.transcript)
        #expect(transcript.count >= 10)
        #expect(transcript.allSatisfy { $0.level == .trace })
        #expect(transcript.contains { $0.metadata["line"]?.description.hasPrefix("AUTH XOAUTH2") == true })
        #expect(transcript.contains { $0.metadata["direction"] == "S" && $0.metadata["line"]?.description.hasPrefix("235") == true })
        // The log closure still gets the same lines.
        #expect(logged.all.count == transcript.count)
        #expect(events.named(.authMechanism).first?.metadata["mechanism"] == "XOAUTH2")
        let all = text(events) + logged.all.joined()
        #expect(!all.contains(Self.token))
        #expect(!all.contains("918273"))  // the body is a byte count in the transcript, never its text
        #expect(!all.contains(Data("user=me@example.test\u{1}auth=Bearer \(Self.token)\u{1}\u{1}".utf8).base64EncodedString()))
    }

    @Test func withoutDebugThereIsNoTranscriptEvent() async throws {
        let server = try DevServer.started(users: ["app": Self.password])
        defer { server.stop() }
        let events = EventRecorder()
        _ = try await connector(server, events).send(request)
        #expect(events.named(.transcript).isEmpty)
        #expect(!events.all.isEmpty)
    }

    @Test func aTokenRefreshIsReportedWithoutTheTokens() async throws {
        let endpoint = try TokenEndpoint(body: #"{"access_token":"\#(Self.token)","expires_in":3600}"#)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": Self.token] }
        defer { server.stop() }
        let events = EventRecorder()
        _ = try await connector(server, events, [
            "auth": ["type": "oauth2", "user": "me@example.test", "clientId": "client-id", "clientSecret": "client-sécret",
                     "refreshToken": "refresh-sécret", "accessUrl": .string(endpoint.url)],
        ]).send(request)
        let refresh = try #require(events.named(.tokenRefresh).first)
        #expect(refresh.metadata["grant"] == "refresh_token")
        #expect(refresh.metadata["ok"] == true)
        #expect(refresh.duration != nil)
        let all = text(events)
        for secret in [Self.token, "client-sécret", "refresh-sécret"] { #expect(!all.contains(secret)) }
    }
}
