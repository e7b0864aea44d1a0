import Locking

/// When each failover member last failed, and so which members to try for the next send.
///
/// A member that failed is skipped for the cool-down, then tried again; when every member is
/// cooling down, the one that failed least recently is tried alone.
final class MemberHealth: Sendable {
    private let lastFailure: Locked<[ContinuousClock.Instant?]>
    private let cooldown: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    init(members: Int, cooldown: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        lastFailure = Locked(Array(repeating: nil, count: members))
        self.cooldown = cooldown
        self.now = now
    }

    /// The members to try, in order.
    func candidates() -> [Int] {
        let now = self.now()
        return lastFailure.withLock { failures in
            let ready = failures.indices.filter { index in failures[index].map { $0.duration(to: now) >= cooldown } ?? true }
            guard ready.isEmpty else { return ready }
            // Every member is cooling down: the least recently failed has had the longest to recover.
            let oldest = failures.indices.min { (failures[$0] ?? now) < (failures[$1] ?? now) }
            return oldest.map { [$0] } ?? []
        }
    }

    /// Whether `member` is cooling down now.
    func isCoolingDown(_ member: Int) -> Bool {
        let now = self.now()
        return lastFailure.withLock { $0[member].map { $0.duration(to: now) < cooldown } ?? false }
    }

    /// `member` failed now.
    func failed(_ member: Int) {
        let now = self.now()
        lastFailure.withLock { $0[member] = now }
    }

    /// `member` delivered: it is healthy again.
    func delivered(_ member: Int) {
        lastFailure.withLock { $0[member] = nil }
    }
}
