import ConnectorKit
import SMTP
import SMTPWire

/// How the `smtp` connector turns what its transport reports into ``ConnectorEvent``s.
struct SMTPEventReporter: Sendable {
    /// Where events go.
    let handler: ConnectorEventHandler
    /// The connector id events carry: the preset's id when the config uses one (`gmail`), else `smtp`.
    let connector: String
    /// The server, named in `connection.opened`.
    let host: String
    let port: Int

    /// The transport's event hook, or nil when nobody listens (the transport then reads no clock).
    var transportHook: (@Sendable (SMTPConnectionEvent) -> Void)? {
        guard handler.isEnabled else { return nil }
        return { event in self.handler.deliver(self.event(for: event)) }
    }

    /// One transcript line (already masked) as an `smtp.transcript` event.
    func transcript(_ line: TranscriptLine) {
        handler.emit(ConnectorEvent(.transcript, level: .trace, connector: connector,
                                    metadata: ["direction": .string(line.direction.rawValue), "line": .string(line.text)]))
    }

    /// `send.started` and `send.finished`, as every connector reports them.
    var sends: SendEvents { SendEvents(handler: handler, connector: connector) }

    /// `oauth2.token_refresh`.
    func tokenRefreshed(grant: String, ok: Bool, after duration: Duration) {
        handler.emit(ConnectorEvent(.tokenRefresh, level: ok ? .debug : .error, connector: connector, duration: duration,
                                    metadata: ["grant": .string(grant), "ok": .bool(ok)]))
    }

    private func event(for event: SMTPConnectionEvent) -> ConnectorEvent {
        switch event {
        case .phaseFinished(let phase, let seconds, let ok):
            return ConnectorEvent(.phaseFinished, level: .trace, connector: connector, duration: .seconds(seconds),
                                  metadata: ["phase": .string(phase.rawValue), "ok": .bool(ok)])
        case .tlsEstablished(let version, let cipher, let resumed):
            var metadata: [String: ConnectorEvent.Value] = ["tlsVersion": .string(version), "resumed": .bool(resumed)]
            if let cipher { metadata["cipher"] = .string(cipher) }
            return ConnectorEvent(.tlsEstablished, level: .debug, connector: connector, metadata: metadata)
        case .authMechanismChosen(let mechanism):
            return ConnectorEvent(.authMechanism, level: .debug, connector: connector, metadata: ["mechanism": .string(mechanism.rawValue)])
        case .opened(let seconds):
            return ConnectorEvent(.connectionOpened, level: .debug, connector: connector, duration: .seconds(seconds),
                                  metadata: ["host": .string(host), "port": .int(port)])
        case .reused(let idleSeconds):
            return ConnectorEvent(.connectionReused, level: .trace, connector: connector,
                                  metadata: ["idleMs": .int(Int(idleSeconds * 1000))])
        case .closed(let quit, let messages):
            return ConnectorEvent(.connectionClosed, level: .debug, connector: connector,
                                  metadata: ["quit": .bool(quit), "messages": .int(messages)])
        case .retried(let reason):
            return ConnectorEvent(.retry, level: .notice, connector: connector, metadata: ["reason": .string(reason)])
        }
    }
}
