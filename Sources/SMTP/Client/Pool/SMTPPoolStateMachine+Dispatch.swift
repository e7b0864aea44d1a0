/// Which waiting send goes where, the rate limit, idle expiry and the timer.
extension SMTPPoolStateMachine {
    /// Closes expired idle connections, starts every waiting send that can start (on an idle
    /// connection, most recently used first, or on a new one while fewer than `maxConnections`
    /// count), and keeps the timer right.
    mutating func dispatch(now: Instant) -> [Action] {
        var actions = closeExpired(now: now)
        if isShuttingDown {
            // Sends put back (a failed health check, a dropped connection) after shutdown began.
            actions += waiting.map { .fail($0, .shutDown) }
            for id in waiting { requests[id] = nil }
            waiting = []
        }
        while let head = waiting.first, mayStart(head, now: now) {
            if let (connection, since) = mostRecentIdle() {
                waiting.removeFirst()
                let idle = since.duration(to: now)
                let check = requests[head]?.isRetry == true || idle >= .seconds(limits.healthCheckAfter)
                actions.append(start(head, on: connection, healthCheck: check, idle: idle, now: now))
            } else if connections.count < limits.maxConnections {
                waiting.removeFirst()
                noteStart(head, now: now)
                let connection = ConnectionID(value: nextConnection)
                nextConnection += 1
                connections[connection] = Connection(state: .opening(head))
                requests[head]?.connection = connection
                actions.append(.open(connection))
            } else {
                break
            }
        }
        return actions + rescheduleTimer(now: now)
    }

    /// The first waiting send, taken out of line, when it may start now (for a connection that
    /// just finished a send).
    mutating func nextStartable(now: Instant) -> RequestID? {
        guard !isShuttingDown, let head = waiting.first, mayStart(head, now: now) else { return nil }
        waiting.removeFirst()
        return head
    }

    /// Binds `request` to the open connection `connection`.
    mutating func start(_ request: RequestID, on connection: ConnectionID, healthCheck: Bool, idle: Duration?,
                        now: Instant) -> Action {
        noteStart(request, now: now)
        requests[request]?.connection = connection
        connections[connection]?.state = .running(request, reused: true)
        return .run(request, on: connection, healthCheck: healthCheck, reused: true, idle: idle)
    }

    /// Puts `request` first in line again, unbound from its connection.
    mutating func requeue(_ request: RequestID, retry: Bool) {
        requests[request]?.connection = nil
        requests[request]?.isRetry = retry
        waiting.insert(request, at: 0)
    }

    /// Once shutting down with no connection left: the driver resumes whoever waits for shutdown.
    func finishShutdownIfDone() -> [Action] {
        isShuttingDown && connections.isEmpty ? [.shutdownFinished] : []
    }

    // MARK: - Rate limit

    /// A retry already had its slot; any other send needs one within `rateLimit` per `rateWindow`.
    private mutating func mayStart(_ request: RequestID, now: Instant) -> Bool {
        guard requests[request]?.isRetry == false, let limit = limits.rateLimit, limit > 0 else { return true }
        let window = Duration.seconds(limits.rateWindow)
        recentStarts.removeAll { $0.duration(to: now) >= window }
        return recentStarts.count < limit
    }

    private mutating func noteStart(_ request: RequestID, now: Instant) {
        guard requests[request]?.isRetry == false, let limit = limits.rateLimit, limit > 0 else { return }
        recentStarts.append(now)
    }

    // MARK: - Idle connections and the timer

    private func mostRecentIdle() -> (ConnectionID, Instant)? {
        var best: (ConnectionID, Instant)?
        for (id, connection) in connections {
            guard case .idle(let since) = connection.state else { continue }
            if best == nil || since > best!.1 || (since == best!.1 && id.value > best!.0.value) { best = (id, since) }
        }
        return best
    }

    private mutating func closeExpired(now: Instant) -> [Action] {
        let lifetime = Duration.seconds(limits.idleTimeout)
        var actions: [Action] = []
        for (id, connection) in connections.sorted(by: { $0.key.value < $1.key.value }) {
            guard case .idle(let since) = connection.state, since.duration(to: now) >= lifetime else { continue }
            connections[id]?.state = .closing
            actions.append(.close(id, quit: true))
        }
        return actions
    }

    /// The earliest of: an idle connection's expiry, the rate-limit slot the first waiting send needs.
    private mutating func rescheduleTimer(now: Instant) -> [Action] {
        var next: Instant?
        for connection in connections.values {
            guard case .idle(let since) = connection.state else { continue }
            let expiry = since + .seconds(limits.idleTimeout)
            next = next.map { min($0, expiry) } ?? expiry
        }
        if let head = waiting.first, !mayStart(head, now: now), let oldest = recentStarts.first {
            let slot = oldest + .seconds(limits.rateWindow)
            next = next.map { min($0, slot) } ?? slot
        }
        guard let next else {
            timer = nil
            return []
        }
        guard next != timer else { return [] }
        timer = next
        return [.scheduleTimer(next)]
    }
}
