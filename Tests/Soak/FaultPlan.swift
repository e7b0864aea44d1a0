/// Where in a session the fault server may misbehave.
enum SoakStep: CaseIterable {
    case greeting, ehlo, mail, rcpt, data, body, afterBody
}

/// What the fault server does at a step instead of answering normally.
enum SoakFault: Equatable {
    /// Close the connection without a word (part-way through the body at `.body`).
    case disconnect
    /// `421 4.3.2`, then close (RFC 5321 §3.8).
    case closing421
    /// `451 4.3.0`: try again later; the session goes on.
    case transient451
    /// Say nothing for longer than the client's timeout.
    case stall
}

/// The odds of each fault, per step, drawn from a seeded generator so a run can be repeated.
struct FaultPlan {
    /// Per step: disconnect, 421, 451 (where a 451 means something), stall.
    var disconnect = 0.004
    var closing421 = 0.002
    var transient451 = 0.006
    var stall = 0.0001
    /// Sessions whose every reply is written one byte per write.
    var byteByByteSessions = 0.05
    /// After a disconnect following the whole body, how often the server had kept the message
    /// (it queued it, then failed before saying so): both must end as "outcome unknown".
    var keptBeforeDrop = 0.5

    func fault(at step: SoakStep, using random: inout SplitMix) -> SoakFault? {
        let roll = random.nextUnit()
        var threshold = disconnect
        if roll < threshold { return .disconnect }
        if step == .body { return nil }  // part-way through the body, only a disconnect makes sense
        threshold += closing421
        if roll < threshold { return .closing421 }
        if step != .greeting && step != .ehlo {
            threshold += transient451
            if roll < threshold { return .transient451 }
        }
        threshold += stall
        if roll < threshold { return .stall }
        return nil
    }
}

/// A small, fast, seedable generator (SplitMix64): each session gets its own from the run's seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
