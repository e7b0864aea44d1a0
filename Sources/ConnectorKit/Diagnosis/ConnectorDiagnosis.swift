/// What a connector's step-by-step probe found, without sending a message: `doctor` and the
/// console's Diagnose show it the same way for every connector, a third party's included.
///
/// A connector offers it by conforming to ``DiagnosableConnector``. A failover connector's
/// diagnosis has no steps of its own and one ``Member`` per member, each with that member's.
public struct ConnectorDiagnosis: Sendable, Equatable {
    /// How a step went.
    public enum Status: String, Sendable, Equatable {
        /// It worked.
        case pass
        /// It worked, with something the operator should know (a session left unencrypted).
        case warn
        /// It failed; probing stopped here.
        case fail
        /// Not probed (nothing configured for it).
        case skip
    }

    /// One probe step.
    public struct Step: Sendable, Equatable {
        /// A short name such as `dns`, `connect`, `tls`, `auth`; for SMTP the session's phases.
        public var name: String
        /// How it went.
        public var status: Status
        /// How long it took, in milliseconds.
        public var milliseconds: Int
        /// What was seen (addresses, TLS version and certificate, capabilities, replies). Never a secret.
        public var detail: String
        /// How to fix a failure or warning.
        public var hint: String?
        /// The server's reply that made the step fail (`535 5.7.8 ...`), when there was one.
        public var reply: String?

        /// Creates a step.
        /// - Parameters:
        ///   - name: the step's name.
        ///   - status: how it went.
        ///   - milliseconds: how long it took.
        ///   - detail: what was seen.
        ///   - hint: the fix, for a failure or warning.
        ///   - reply: the server reply that made it fail.
        public init(name: String, status: Status, milliseconds: Int, detail: String, hint: String? = nil, reply: String? = nil) {
            self.name = name
            self.status = status
            self.milliseconds = milliseconds
            self.detail = detail
            self.hint = hint
            self.reply = reply
        }

        /// Whole milliseconds from `start` to now: the ``milliseconds`` of a step that began then.
        public static func milliseconds(since start: ContinuousClock.Instant) -> Int {
            let elapsed = start.duration(to: .now)
            return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// A failover member's diagnosis.
    public struct Member: Sendable, Equatable {
        /// Its position in `failover`, from 0.
        public var index: Int
        /// How receipts and events name it: its preset or connector id.
        public var name: String
        /// What probing it found.
        public var diagnosis: ConnectorDiagnosis

        /// Creates a member's diagnosis.
        /// - Parameters:
        ///   - index: its position in `failover`.
        ///   - name: its preset or connector id.
        ///   - diagnosis: what probing it found.
        public init(index: Int, name: String, diagnosis: ConnectorDiagnosis) {
            self.index = index
            self.name = name
            self.diagnosis = diagnosis
        }

        /// `failover[1] (sendgrid)`, as errors and `validate` name it.
        public var label: String { "failover[\(index)] (\(name))" }
    }

    /// The steps, in order; probing stops at the first failure. Empty for a failover connector.
    public var steps: [Step]
    /// A failover connector's members, in order; empty otherwise.
    public var members: [Member]

    /// Creates a diagnosis.
    /// - Parameters:
    ///   - steps: the steps, in order.
    ///   - members: a failover connector's members' diagnoses.
    public init(steps: [Step], members: [Member] = []) {
        self.steps = steps
        self.members = members
    }

    /// Whether something was probed and nothing failed, in the steps or in any member. A diagnosis
    /// with neither steps nor members proved nothing, so it is not ok.
    public var ok: Bool {
        guard !steps.isEmpty || !members.isEmpty else { return false }
        return !steps.contains { $0.status == .fail } && members.allSatisfy(\.diagnosis.ok)
    }

    /// The step that failed, if one did.
    public var failedStep: Step? { steps.first { $0.status == .fail } }
}

/// A connector that can probe its provider without sending: DNS, connection, TLS, credentials,
/// whatever its protocol has. The CLI's `doctor` and the console's Diagnose work for every
/// connector that conforms, the built-in ones and a third party's alike.
public protocol DiagnosableConnector: EmailConnector {
    /// Probes step by step without sending a message; each failed step carries its fix.
    func diagnose() async -> ConnectorDiagnosis
}
