import ConnectorKit
import DevServer
import Foundation
import Locking
import StandardConnectors
import Testing
import TestSupport

/// `failover` in the standard registry, against DevServers with scripted faults: it moves on only
/// when nothing can have been delivered, and never sends a message twice.
@Suite struct FailoverTests {
    static let password = "fail-over-sécret"
    let request = EmailRequest(to: "ada@example.test", usageType: .signIn, payload: ["code": "424242"])

    /// An `smtp` member config for `server` (STARTTLS required, AUTH as "app").
    static func member(_ server: DevServer, password: String = FailoverTests.password) -> ConfigValue {
        [
            "host": "127.0.0.1", "port": .number(Double(server.port)), "fromEmail": "no-reply@example.test",
            "requireTLS": true, "tls": ["ca": .string(server.certificatePEM), "servername": "localhost"],
            "auth": ["user": "app", "pass": .string(password)],
            "connectionTimeout": 10000, "greetingTimeout": 10000, "socketTimeout": 10000,
            "templates": templates,
        ]
    }

    /// The four templates Logto requires.
    static let templates = ConfigValue.array(["SignIn", "Register", "ForgotPassword", "Generic"].map { type in
        ["usageType": .string(type), "contentType": "text/plain", "subject": "Code", "content": "Your code is {{code}}"]
    })

    static func server(_ faults: [DevServerConfiguration.Fault] = []) throws -> DevServer {
        try DevServer.started(users: ["app": password]) { $0.faults = faults }
    }

    /// A failover connector over `members`, reporting to `events`, measuring cool-downs on `clock`.
    static func failover(_ members: [ConfigValue], cooldownSeconds: Double = 60, events: EventRecorder? = nil,
                         clock: TestClock = TestClock()) throws -> any EmailConnector {
        let registry = ConnectorRegistry.standard(presets: .standard, events: events?.handler ?? .none)
        let factory = FailoverConnectorFactory(members: registry, now: clock.now)
        return try factory.makeConnector(config: ["failover": .array(members), "cooldownSeconds": .number(cooldownSeconds)],
                                         events: events?.handler ?? .none)
    }

    @Test func aRefusedGreetingHopsToTheNextMember() async throws {
        let primary = try Self.server([.refuseGreeting]), secondary = try Self.server()
        defer { primary.stop(); secondary.stop() }
        let events = EventRecorder()
        let connector = try Self.failover([Self.member(primary), Self.member(secondary)], events: events)
        let receipt = try await connector.send(request)
        let route = try #require(receipt.failover)
        #expect(route.memberIndex == 1)
        #expect(route.hops.count == 1)
        #expect(route.hops[0].memberIndex == 0)
        #expect(route.hops[0].error.phase == .greeting)
        #expect(route.hops[0].error.reply?.code == 421)
        #expect(primary.messages.isEmpty)
        #expect(secondary.messages.count == 1)
        #expect(secondary.messages[0].text.contains("Your code is 424242"))
        let hop = try #require(events.named(.failoverHop).first)
        #expect(hop.level == .warning)
        #expect(hop.metadata["memberIndex"] == 0)
        #expect(hop.metadata["phase"] == "greeting")
        #expect(hop.metadata["replyCode"] == 421)
        #expect(hop.metadata["next"] == "smtp")
        let finished = try #require(events.named(.sendFinished).first { $0.connector == "failover" })
        #expect(finished.metadata["outcome"] == "delivered")
        #expect(finished.metadata["memberIndex"] == 1)
        #expect(finished.metadata["hops"] == 1)
        #expect(finished.duration != nil)
    }

    @Test func aFailedAuthenticationHopsToTheNextMember() async throws {
        let primary = try Self.server(), secondary = try Self.server()
        defer { primary.stop(); secondary.stop() }
        let connector = try Self.failover([Self.member(primary, password: "wrong"), Self.member(secondary)])
        let receipt = try await connector.send(request)
        #expect(receipt.failover?.memberIndex == 1)
        let hop = try #require(receipt.failover?.hops.first)
        #expect(hop.error.code == .authorizationFailed)
        #expect(hop.error.phase == .auth)
        #expect(hop.error.reply?.code == 535)
        #expect(primary.messages.isEmpty)
        #expect(secondary.messages.count == 1)
    }

    @Test func aCleanRefusalOfTheBodyHopsToTheNextMember() async throws {
        let primary = try Self.server([.deferData]), secondary = try Self.server()
        defer { primary.stop(); secondary.stop() }
        let receipt = try await Self.failover([Self.member(primary), Self.member(secondary)]).send(request)
        #expect(receipt.failover?.hops.first?.error.reply?.code == 451)
        #expect(receipt.failover?.hops.first?.error.phase == .data)
        #expect(primary.messages.isEmpty)
        #expect(secondary.messages.count == 1)
    }

    @Test func aDropAfterTheBodyIsAnUnknownOutcomeThatNobodySendsAgain() async throws {
        let primary = try Self.server([.dropAfterData]), secondary = try Self.server()
        defer { primary.stop(); secondary.stop() }
        let events = EventRecorder()
        let connector = try Self.failover([Self.member(primary), Self.member(secondary)], events: events)
        let error = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error?.code == .outcomeUnknown)
        #expect(error?.failoverHops.isEmpty == true)
        // The primary has the message; the secondary was never asked.
        #expect(primary.messages.count == 1)
        #expect(secondary.messages.isEmpty)
        #expect(secondary.connectionCount == 0)
        #expect(events.named(.failoverHop).isEmpty)
        let finished = try #require(events.named(.sendFinished).first { $0.connector == "failover" })
        #expect(finished.metadata["outcome"] == "outcome_unknown")
        #expect(finished.level == .error)
    }

    @Test func aFailedMemberCoolsDownAndIsTriedAgainAfterwards() async throws {
        let primary = try Self.server([.refuseGreeting]), secondary = try Self.server()
        defer { primary.stop(); secondary.stop() }
        let clock = TestClock()
        let connector = try Self.failover([Self.member(primary), Self.member(secondary)], cooldownSeconds: 60, clock: clock)
        let first = try await connector.send(request)
        #expect(first.failover?.hops.count == 1)
        #expect(primary.connectionCount == 1)

        clock.advance(by: .seconds(59))
        let second = try await connector.send(request)
        #expect(second.failover?.memberIndex == 1)
        #expect(second.failover?.hops.isEmpty == true)  // the primary was skipped, not tried
        #expect(primary.connectionCount == 1)

        clock.advance(by: .seconds(2))
        let third = try await connector.send(request)
        #expect(third.failover?.hops.map(\.memberIndex) == [0])  // tried again once the cool-down passed
        #expect(primary.connectionCount == 2)
        #expect(secondary.messages.count == 3)
    }

    @Test func whenEveryMemberCoolsDownTheLeastRecentlyFailedIsTried() async throws {
        let first = try Self.server([.refuseGreeting]), second = try Self.server([.refuseGreeting])
        defer { first.stop(); second.stop() }
        let clock = TestClock()
        let connector = try Self.failover([Self.member(first), Self.member(second)], clock: clock)
        let both = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(both?.failoverHops.map(\.memberIndex) == [0, 1])
        #expect(both?.message.hasPrefix("every failover member failed") == true)
        #expect(both?.reply?.code == 421)

        clock.advance(by: .seconds(1))
        let retry = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(retry?.failoverHops.map(\.memberIndex) == [0])  // member 0 failed least recently
        #expect(retry?.hint?.contains("cooldownSeconds") == true)
        clock.advance(by: .seconds(1))
        let next = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(next?.failoverHops.map(\.memberIndex) == [1])
        #expect(first.connectionCount == 2)
        #expect(second.connectionCount == 2)
    }

    @Test func presetsAndConnectorIdsNameMembersAndValidationNamesPaths() throws {
        let registry = ConnectorRegistry.standard
        let factory = try #require(registry.factory(id: "failover"))
        let issues = factory.validate([
            "failover": [
                ["preset": "gmail", "auth": ["user": "a@gmail.com", "pass": "app-password"], "fromEmail": "a@gmail.com",
                 "templates": Self.templates],
                ["connector": "sendgrid", "fromEmail": "a@example.com"],
                ["connector": "nope"],
                ["connector": "failover", "failover": []],
                "text",
            ],
            "cooldownSeconds": -1, "cooldown": 5,
        ])
        let paths = Set(issues.map(\.path))
        #expect(!paths.contains { $0.hasPrefix("failover[0]") }, "\(issues)")
        let sendGridKey = try #require(issues.first { $0.path == "failover[1].auth.pass" }, "\(issues)")
        #expect(sendGridKey.message.contains("SendGrid"))  // the preset behind the member's connector id
        #expect(paths.contains("failover[2].connector"))
        #expect(issues.first { $0.path == "failover[2].connector" }?.hint?.contains("gmail") == true)
        #expect(paths.contains("failover[3].connector"))
        #expect(paths.contains("failover[4]"))
        #expect(paths.contains("cooldownSeconds"))
        #expect(paths.contains("cooldown"))
        #expect(factory.validate(["failover": []]).map(\.path) == ["failover"])
        #expect(factory.validate([:]).first?.path == "failover")
        #expect(ConnectorRegistry.connectorID(for: ["failover": []]) == "failover")
        #expect(ConnectorRegistry.connectorID(for: ["preset": "gmail"]) == "smtp")
    }

    @Test func aBadMemberSecretIsNamedByPathAndNeverQuoted() throws {
        let server = try Self.server()
        defer { server.stop() }
        var bad = Self.member(server).objectValue!
        bad["auth"] = ["user": "app", "pass": 12345]
        let issues = try #require(ConnectorRegistry.standard.factory(id: "failover")).validate(
            ["failover": [Self.member(server), .object(bad)]])
        let issue = try #require(issues.first)
        #expect(issue.path == "failover[1].auth.pass")
        #expect(!issue.description.contains("12345"))
        #expect(throws: ConnectorError.self) {
            try ConnectorRegistry.standard.makeConnector(id: "failover", config: ["failover": [Self.member(server), .object(bad)]])
        }
    }
}

/// A clock the test moves by hand, so cool-downs pass without waiting.
final class TestClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Locked<Duration>(.zero)

    /// The current instant, for `FailoverConnectorFactory(now:)`.
    var now: @Sendable () -> ContinuousClock.Instant {
        { self.start + self.offset.withLock { $0 } }
    }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
