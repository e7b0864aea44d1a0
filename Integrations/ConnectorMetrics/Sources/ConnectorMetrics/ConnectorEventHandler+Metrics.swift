import ConnectorKit
import CoreMetrics
import Foundation

extension ConnectorEventHandler {
    /// A handler that counts and times connector events in swift-metrics:
    ///
    /// | metric | kind | dimensions |
    /// |---|---|---|
    /// | `email_connector_sends_total` | counter | `connector`, `usage_type`, `outcome` (`delivered`, `failed`, `outcome_unknown`), `code` |
    /// | `email_connector_send_duration_seconds` | timer | `connector`, `outcome` |
    /// | `email_connector_smtp_phase_duration_seconds` | timer | `connector`, `phase`, `ok` |
    /// | `email_connector_connections_total` | counter | `connector`, `event` (`opened`, `reused`, `closed`) |
    /// | `email_connector_failover_hops_total` | counter | `member`, `code` |
    /// | `email_connector_retries_total` | counter | `connector` |
    /// | `email_connector_token_refreshes_total` | counter | `connector`, `ok` |
    ///
    /// A failover member's own `send.finished` is not counted: the failover's counts each send once.
    /// Every dimension comes from a small fixed set (connector ids, usage types, error codes,
    /// phases): never an address, a Message-ID, a host name or an error text, so the number of
    /// series stays bounded.
    /// - Parameter factory: the metrics backend (default: the one bootstrapped in `MetricsSystem`).
    public static func metrics(factory: any MetricsFactory = MetricsSystem.factory) -> ConnectorEventHandler {
        let recorder = EventMetrics(factory: factory)
        return ConnectorEventHandler { recorder.record($0) }
    }
}

/// Turns events into metric updates, keeping one metric object per label and dimensions.
final class EventMetrics: @unchecked Sendable {
    private let factory: any MetricsFactory
    private let lock = NSLock()
    // Guarded by `lock`.
    private var counters: [String: Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(_ event: ConnectorEvent) {
        let connector = event.connector
        func text(_ key: String) -> String { event.metadata[key].map { "\($0)" } ?? "none" }
        // A failover member reports its own sends (with memberIndex added) beside the failover's:
        // each send is counted once, from the failover's events.
        let isFailoverMember = event.metadata["memberIndex"] != nil && connector != "failover"
        switch event.name {
        case .sendFinished where !isFailoverMember:
            let outcome = text("outcome")
            counter("email_connector_sends_total", [("connector", connector), ("usage_type", text("usageType")),
                                                     ("outcome", outcome), ("code", outcome == "delivered" ? "none" : text("code"))])
                .increment()
            if let duration = event.duration {
                timer("email_connector_send_duration_seconds", [("connector", connector), ("outcome", outcome)]).recordNanoseconds(Self.nanoseconds(duration))
            }
        case .phaseFinished:
            if let duration = event.duration {
                timer("email_connector_smtp_phase_duration_seconds", [("connector", connector), ("phase", text("phase")), ("ok", text("ok"))])
                    .recordNanoseconds(Self.nanoseconds(duration))
            }
        case .connectionOpened, .connectionReused, .connectionClosed:
            let kind = String(event.name.rawValue.dropFirst("connection.".count))
            counter("email_connector_connections_total", [("connector", connector), ("event", kind)]).increment()
        case .failoverHop:
            counter("email_connector_failover_hops_total", [("member", text("member")), ("code", text("code"))]).increment()
        case .retry:
            counter("email_connector_retries_total", [("connector", connector)]).increment()
        case .tokenRefresh:
            counter("email_connector_token_refreshes_total", [("connector", connector), ("ok", text("ok"))]).increment()
        default:
            break  // transcript lines, TLS and AUTH details: logs, not metrics
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    private func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        lock.withLock {
            let key = key(label, dimensions)
            if let existing = counters[key] { return existing }
            let made = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = made
            return made
        }
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        lock.withLock {
            let key = key(label, dimensions)
            if let existing = timers[key] { return existing }
            let made = CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
            timers[key] = made
            return made
        }
    }
}
