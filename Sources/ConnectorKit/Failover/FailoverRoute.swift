/// How a send went through a ``FailoverConnector``: the member that delivered and the members
/// that failed before it.
public struct FailoverRoute: Sendable, Equatable {
    /// The member that delivered: its index in `failover` and its name (`sendgrid`).
    public var memberIndex: Int
    /// The delivering member's name: its preset, or its connector id.
    public var member: String
    /// The members that failed before it, in order, each with why.
    public var hops: [FailoverHop]

    /// Creates a route.
    /// - Parameters:
    ///   - memberIndex: the delivering member's index.
    ///   - member: the delivering member's name.
    ///   - hops: the failures before it.
    public init(memberIndex: Int, member: String, hops: [FailoverHop]) {
        self.memberIndex = memberIndex
        self.member = member
        self.hops = hops
    }
}

/// A failover member that failed before anything could have been delivered, so the next one was tried.
public struct FailoverHop: Sendable, Equatable, CustomStringConvertible {
    /// The member's index in `failover`.
    public var memberIndex: Int
    /// The member's name: its preset, or its connector id.
    public var member: String
    /// Why it failed.
    public var error: ConnectorError

    /// Creates a hop.
    /// - Parameters:
    ///   - memberIndex: the member's index.
    ///   - member: the member's name.
    ///   - error: its failure.
    public init(memberIndex: Int, member: String, error: ConnectorError) {
        self.memberIndex = memberIndex
        self.member = member
        self.error = error
    }

    /// `failover[0] (gmail): tls_failed in tls: ... (server replied: ...)`.
    public var description: String {
        var text = "failover[\(memberIndex)] (\(member)): \(error.code.rawValue)"
        if let phase = error.phase { text += " in \(phase.rawValue)" }
        text += ": \(error.message)"
        if let reply = error.reply { text += " (server replied: \(reply))" }
        return text
    }
}
