import ConnectorKit
import ConnectorMetrics
import CoreMetrics
import MetricsTestKit
import Testing

@Suite struct ConnectorMetricsTests {
    @Test func sendsArCountedAndTimedByConnectorOutcomeAndCode() throws {
        let metrics = TestMetrics()
        let events = ConnectorEventHandler.metrics(factory: metrics)
        for _ in 0..<3 {
            events.emit(ConnectorEvent(.sendFinished, level: .info, connector: "gmail", duration: .milliseconds(40),
                                       metadata: ["outcome": "delivered", "messageId": "a1@example.test", "usageType": "SignIn", "rejected": 0]))
        }
        events.emit(ConnectorEvent(.sendFinished, level: .error, connector: "gmail", duration: .milliseconds(5),
                                   metadata: ["outcome": "failed", "code": "authorization_failed", "usageType": "SignIn",
                                              "error": "535 5.7.8 bob@example.test rejected"]))
        let delivered = try metrics.expectCounter("email_connector_sends_total",
                                                  [("connector", "gmail"), ("usage_type", "SignIn"), ("outcome", "delivered"), ("code", "none")])
        #expect(delivered.totalValue == 3)
        let failed = try metrics.expectCounter("email_connector_sends_total",
                                               [("connector", "gmail"), ("usage_type", "SignIn"), ("outcome", "failed"), ("code", "authorization_failed")])
        #expect(failed.totalValue == 1)
        let timer = try metrics.expectTimer("email_connector_send_duration_seconds", [("connector", "gmail"), ("outcome", "delivered")])
        #expect(timer.values.count == 3 && timer.values.allSatisfy { $0 == 40_000_000 })
    }

    @Test func phasesConnectionsHopsAndRetriesHaveTheirOwnMetrics() throws {
        let metrics = TestMetrics()
        let events = ConnectorEventHandler.metrics(factory: metrics)
        events.emit(ConnectorEvent(.phaseFinished, level: .trace, connector: "smtp", duration: .milliseconds(3), metadata: ["phase": "ehlo", "ok": true]))
        events.emit(ConnectorEvent(.connectionOpened, level: .debug, connector: "smtp", metadata: ["host": "smtp.example.test", "port": 587]))
        events.emit(ConnectorEvent(.connectionReused, level: .trace, connector: "smtp", metadata: ["idleMs": 12]))
        events.emit(ConnectorEvent(.failoverHop, level: .warning, connector: "failover",
                                   metadata: ["member": "gmail", "memberIndex": 0, "code": "socket_error", "error": "refused by 192.0.2.1"]))
        events.emit(ConnectorEvent(.retry, level: .notice, connector: "smtp", metadata: ["reason": "stale connection"]))
        #expect(try metrics.expectTimer("email_connector_smtp_phase_duration_seconds", [("connector", "smtp"), ("phase", "ehlo"), ("ok", "true")]).values == [3_000_000])
        #expect(try metrics.expectCounter("email_connector_connections_total", [("connector", "smtp"), ("event", "opened")]).totalValue == 1)
        #expect(try metrics.expectCounter("email_connector_connections_total", [("connector", "smtp"), ("event", "reused")]).totalValue == 1)
        #expect(try metrics.expectCounter("email_connector_failover_hops_total", [("member", "gmail"), ("code", "socket_error")]).totalValue == 1)
        #expect(try metrics.expectCounter("email_connector_retries_total", [("connector", "smtp")]).totalValue == 1)
    }

    /// No dimension value comes from an address, a Message-ID, a host or an error text.
    @Test func dimensionsStayBounded() {
        let metrics = TestMetrics()
        let events = ConnectorEventHandler.metrics(factory: metrics)
        for index in 0..<50 {
            events.emit(ConnectorEvent(.sendFinished, level: .error, connector: "smtp", duration: .milliseconds(1),
                                       metadata: ["outcome": "failed", "code": "invalid_request", "usageType": "Register",
                                                  "messageId": .string("m\(index)@example.test"), "error": .string("user\(index)@example.test refused")]))
            events.emit(ConnectorEvent(.connectionOpened, level: .debug, connector: "smtp", metadata: ["host": .string("mx\(index).example.test")]))
        }
        #expect(metrics.counters.count == 2, "\(metrics.counters.map(\.dimensions))")
        let values = metrics.counters.flatMap(\.dimensions).map(\.1) + metrics.timers.flatMap(\.dimensions).map(\.1)
        #expect(!values.contains { $0.contains("@") || $0.contains("example.test") })
    }

    /// Through failover, the member reports the send too (with memberIndex): counted once.
    @Test func aSendThroughFailoverIsCountedOnce() throws {
        let metrics = TestMetrics()
        let events = ConnectorEventHandler.metrics(factory: metrics)
        events.emit(ConnectorEvent(.sendFinished, level: .info, connector: "sendgrid", duration: .milliseconds(9),
                                   metadata: ["outcome": "delivered", "usageType": "SignIn", "member": "sendgrid", "memberIndex": 1]))
        events.emit(ConnectorEvent(.sendFinished, level: .info, connector: "failover", duration: .milliseconds(10),
                                   metadata: ["outcome": "delivered", "usageType": "SignIn", "member": "sendgrid", "memberIndex": 1]))
        #expect(metrics.counterTotal(label: "email_connector_sends_total") == 1)
        #expect(try metrics.expectCounter("email_connector_sends_total",
                                          [("connector", "failover"), ("usage_type", "SignIn"), ("outcome", "delivered"), ("code", "none")]).totalValue == 1)
    }
}
