/// Sends through the first member that can take the message, in order, and never sends a message
/// twice: it moves to the next member only when the failure happened before any member could have
/// delivered it (connect, TLS, greeting, EHLO, AUTH, MAIL, RCPT, DATA before the body, or a clean
/// 4xx/5xx reply to the body). An outcome-unknown failure (the body went out, no reply came) is
/// returned as it is and sent again by nobody.
///
/// A member that failed is skipped for `cooldown`, then tried again; when every member is cooling
/// down, the least recently failed is tried. A recipient refused for good (5xx to RCPT) or a
/// missing template moves on too, but does not cool the member down. The receipt names the member that delivered and each
/// hop before it (``SendReceipt/failover``); a failure carries the hops in
/// ``ConnectorError/failoverHops``.
///
/// ```swift
/// let connector = try ConnectorRegistry.standard.makeConnector(id: "failover", json: """
///     {"failover": [{"preset": "gmail", ...}, {"preset": "sendgrid", ...}], "cooldownSeconds": 60}
///     """)
/// ```
public struct FailoverConnector: EmailConnector {
    /// One member: its name (a preset or connector id) and its connector.
    public struct Member: Sendable {
        /// How receipts, errors and events name it.
        public var name: String
        /// The connector that sends.
        public var connector: any EmailConnector

        /// Creates a member.
        /// - Parameters:
        ///   - name: how receipts, errors and events name it.
        ///   - connector: the connector that sends.
        public init(name: String, connector: any EmailConnector) {
            self.name = name
            self.connector = connector
        }
    }

    /// Metadata with id "failover".
    public var metadata: ConnectorMetadata { FailoverConnectorFactory.metadata }
    /// The members, in order.
    public let members: [Member]
    private let health: MemberHealth
    private let events: ConnectorEventHandler

    /// Composes `members`.
    /// - Parameters:
    ///   - members: the connectors to try, in order (at least one).
    ///   - cooldown: how long a member that failed is skipped.
    ///   - events: where `send.started`, `send.finished` and `failover.hop` go.
    ///   - now: the clock the cool-down is measured with; tests pass their own.
    public init(members: [Member], cooldown: Duration = .seconds(FailoverConfig.defaultCooldownSeconds),
                events: ConnectorEventHandler = .none, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        precondition(!members.isEmpty, "a FailoverConnector needs at least one member")
        self.members = members
        self.events = events
        health = MemberHealth(members: members.count, cooldown: cooldown, now: now)
    }

    /// Whether `member` (an index into ``members``) is being skipped because it failed recently.
    public func isCoolingDown(member: Int) -> Bool {
        health.isCoolingDown(member)
    }

    /// Sends through the first member that can, hopping only past failures that delivered nothing.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        let started = ContinuousClock.now
        let usageType = ConnectorEvent.Value.string(request.usageType.rawValue)
        events.emit(ConnectorEvent(.sendStarted, level: .debug, connector: metadata.id,
                                   metadata: ["usageType": usageType, "recipients": .int(request.to.count + request.cc.count + request.bcc.count)]))
        var hops: [FailoverHop] = []
        let candidates = health.candidates()
        for (position, index) in candidates.enumerated() {
            let member = members[index]
            do {
                var receipt = try await member.connector.send(request)
                health.delivered(index)
                receipt.failover = FailoverRoute(memberIndex: index, member: member.name, hops: hops)
                events.emit(ConnectorEvent(.sendFinished, level: .info, connector: metadata.id, duration: started.duration(to: .now),
                                           metadata: ["outcome": "delivered", "messageId": .string(receipt.messageID),
                                                      "usageType": usageType, "member": .string(member.name),
                                                      "memberIndex": .int(index), "hops": .int(hops.count)]))
                return receipt
            } catch {
                var failure = error as? ConnectorError ?? Self.unknownOutcome(error, member: member.name)
                guard Self.mayTryNext(after: failure) else {
                    if failure.code == .outcomeUnknown { health.failed(index) }
                    failure.failoverHops = hops
                    finished(failure, member: member.name, index: index, usageType: usageType, hops: hops.count, since: started)
                    throw failure
                }
                if Self.countsAgainstMember(failure) { health.failed(index) }
                let hop = FailoverHop(memberIndex: index, member: member.name, error: failure)
                hops.append(hop)
                let next = position + 1 < candidates.count ? members[candidates[position + 1]].name : nil
                events.emit({
                    var metadata = failure.eventMetadata
                    metadata["member"] = .string(member.name)
                    metadata["memberIndex"] = .int(index)
                    metadata["next"] = .string(next ?? "none")
                    metadata.removeValue(forKey: "outcome")
                    return ConnectorEvent(.failoverHop, level: .warning, connector: self.metadata.id, metadata: metadata)
                }())
            }
        }
        var failure = hops.last!.error
        failure.message = "every failover member failed; the last, failover[\(hops.last!.memberIndex)] (\(hops.last!.member)), said: \(failure.message)"
        if candidates.count < members.count {
            failure.hint = (failure.hint.map { $0 + " " } ?? "")
                + "Members that failed within cooldownSeconds were skipped; they are tried again once it has passed."
        }
        failure.failoverHops = hops
        finished(failure, member: hops.last!.member, index: hops.last!.memberIndex, usageType: usageType, hops: hops.count, since: started)
        throw failure
    }

    /// Stops every member.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for member in members {
                group.addTask { await member.connector.shutdown() }
            }
        }
    }

    /// Whether the next member may be tried after `failure`: only when nothing can have been
    /// delivered and trying elsewhere can help. Never after an unknown outcome (the message may
    /// have arrived), a cancellation, a shutdown, or a request that is wrong everywhere.
    public static func mayTryNext(after failure: ConnectorError) -> Bool {
        ![.outcomeUnknown, .cancelled, .shutDown, .invalidRequest].contains(failure.code)
    }

    /// Whether `failure` says the member is unwell, so it cools down: not when a recipient was
    /// refused for good (the address is wrong everywhere) or a template is missing (the member's
    /// config lacks one usage type, and sends of other types are fine).
    static func countsAgainstMember(_ failure: ConnectorError) -> Bool {
        if failure.code == .templateNotFound { return false }
        if failure.phase == .rcpt, let reply = failure.reply, reply.code >= 500 { return false }
        return true
    }

    private func finished(_ failure: ConnectorError, member: String, index: Int, usageType: ConnectorEvent.Value,
                          hops: Int, since started: ContinuousClock.Instant) {
        events.emit({
            var metadata = failure.eventMetadata
            metadata["usageType"] = usageType
            metadata["member"] = .string(member)
            metadata["memberIndex"] = .int(index)
            metadata["hops"] = .int(hops)
            return ConnectorEvent(.sendFinished, level: .error, connector: self.metadata.id, duration: started.duration(to: .now),
                                  metadata: metadata)
        }())
    }

    /// A member threw something other than a ``ConnectorError``: nothing says the message was not
    /// delivered, so it counts as an unknown outcome and is not sent again.
    private static func unknownOutcome(_ error: any Error, member: String) -> ConnectorError {
        // Only the error's type is named: a third party's error text carries no promise to hold no secret.
        ConnectorError(.outcomeUnknown, "the connector \(member) failed with an error that does not say whether the message was sent (\(type(of: error)))",
                       hint: "Check whether the message arrived before sending it again.")
    }
}
