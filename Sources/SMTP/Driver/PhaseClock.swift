/// Times the phases of one driver operation for ``SMTPClientConfiguration/events``; reads no
/// clock when nobody listens.
struct PhaseClock {
    /// The phase being timed.
    private(set) var phase: SMTPPhase
    private var started: ContinuousClock.Instant?
    /// Set by ``stop(ok:)``: nothing more is timed.
    private var stopped = false
    private let report: (@Sendable (SMTPConnectionEvent) -> Void)?

    init(phase: SMTPPhase, report: (@Sendable (SMTPConnectionEvent) -> Void)?) {
        self.phase = phase
        self.report = report
        started = report == nil ? nil : .now
    }

    /// The machine moved on: the phase before ended well.
    mutating func enter(_ next: SMTPPhase) {
        finish(ok: true)
        phase = next
        if report != nil, !stopped { started = .now }
    }

    /// The operation's outcome is known: the current phase ends with `ok`, later ones are not timed.
    mutating func stop(ok: Bool) {
        finish(ok: ok)
        stopped = true
    }

    /// The operation ended in the current phase.
    mutating func finish(ok: Bool) {
        guard let report, let started else { return }
        report(.phaseFinished(phase, seconds: started.duration(to: .now).seconds, ok: ok))
        self.started = nil
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension SMTPClientStateMachine.Outcome {
    /// Whether the operation did what it was asked.
    var isSuccess: Bool {
        if case .failed = self { return false }
        return true
    }
}
