import ConnectorKit
import Locking
import Synchronization
import Testing

/// The rules of ``FailoverConnector`` that need no server: which failures it moves past, and what
/// a disabled event handler costs.
@Suite struct FailoverRulesTests {
    private let request = EmailRequest(to: "ada@example.test", usageType: .generic, payload: ["code": "1"])

    /// A connector that throws `error`.
    private struct Throwing: EmailConnector {
        let error: any Error
        var metadata: ConnectorMetadata { ConnectorMetadata(id: "throwing", name: "Throwing", description: "Fails.") }
        func send(_ request: EmailRequest) async throws -> SendReceipt { throw error }
    }

    private struct Opaque: Error {}

    @Test(arguments: [ConnectorError.Code.socketError, .tlsFailed, .authorizationFailed, .invalidResponse, .rateLimitExceeded,
                      .general])
    func movesOnAfterFailuresThatDeliveredNothing(_ code: ConnectorError.Code) async throws {
        let secondary = RecordingConnector()
        let connector = FailoverConnector(members: [.init(name: "first", connector: Throwing(error: ConnectorError(code, "no"))),
                                                    .init(name: "second", connector: secondary)])
        let receipt = try await connector.send(request)
        #expect(receipt.failover?.member == "second")
        #expect(receipt.failover?.hops.first?.error.code == code)
        #expect(secondary.requests.count == 1)
        #expect(connector.isCoolingDown(member: 0))
        #expect(!connector.isCoolingDown(member: 1))
    }

    @Test(arguments: [ConnectorError(.templateNotFound, "no SignIn template"),
                      ConnectorError(.invalidResponse, "refused", phase: .rcpt, reply: .init(code: 550, enhancedCode: "5.1.1", text: "no such user"))])
    func movesOnWithoutCoolingDownWhenTheRequestNotTheMemberFailed(_ failure: ConnectorError) async throws {
        let secondary = RecordingConnector()
        let connector = FailoverConnector(members: [.init(name: "first", connector: Throwing(error: failure)),
                                                    .init(name: "second", connector: secondary)])
        let receipt = try await connector.send(request)
        #expect(receipt.failover?.hops.first?.error == failure)
        #expect(secondary.requests.count == 1)
        #expect(!connector.isCoolingDown(member: 0))
    }

    @Test(arguments: [ConnectorError.Code.outcomeUnknown, .cancelled, .shutDown, .invalidRequest])
    func stopsAtFailuresWhereTryingElsewhereIsWrong(_ code: ConnectorError.Code) async throws {
        let secondary = RecordingConnector()
        let connector = FailoverConnector(members: [.init(name: "first", connector: Throwing(error: ConnectorError(code, "no"))),
                                                    .init(name: "second", connector: secondary)])
        let error = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error?.code == code)
        #expect(secondary.requests.isEmpty)
    }

    @Test func anErrorThatSaysNothingAboutDeliveryCountsAsAnUnknownOutcome() async throws {
        let secondary = RecordingConnector()
        let connector = FailoverConnector(members: [.init(name: "third-party", connector: Throwing(error: Opaque())),
                                                    .init(name: "second", connector: secondary)])
        let error = await #expect(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error?.code == .outcomeUnknown)
        #expect(error?.message.contains("third-party") == true)
        #expect(error?.message.contains("Opaque") == true)  // the type, never the third party's own text
        #expect(secondary.requests.isEmpty)
    }

    @Test func aDisabledHandlerNeverBuildsTheEvent() {
        let built = Atomic<Int>(0)
        func event() -> ConnectorEvent {
            built.add(1, ordering: .relaxed)
            return ConnectorEvent(.sendStarted, level: .debug, connector: "test")
        }
        ConnectorEventHandler.none.emit(event())
        #expect(built.load(ordering: .relaxed) == 0)
        let seen = Atomic<Int>(0)
        ConnectorEventHandler { _ in seen.add(1, ordering: .relaxed) }.emit(event())
        #expect(built.load(ordering: .relaxed) == 1)
        #expect(seen.load(ordering: .relaxed) == 1)
    }

    @Test func taggedHandlersAddMetadataWithoutOverwriting() {
        let seen = Locked<[ConnectorEvent]>([])
        let handler = ConnectorEventHandler { event in seen.withLock { $0.append(event) } }
            .adding(["memberIndex": 1, "phase": "tagged"])
        handler.emit(ConnectorEvent(.phaseFinished, level: .trace, connector: "smtp", duration: .milliseconds(1500),
                                    metadata: ["phase": "auth"]))
        let event = seen.withLock { $0[0] }
        #expect(event.metadata == ["memberIndex": 1, "phase": "auth"])
        #expect(event.durationMilliseconds == 1500)
        let json = event.jsonValue
        #expect(json["event"] == "smtp.phase")
        #expect(json["durationMs"] == 1500)
        #expect(json["memberIndex"] == 1)
        #expect(ConnectorEventHandler.none.adding(["a": 1]).isEnabled == false)
    }
}
