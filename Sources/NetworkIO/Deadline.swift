import Dispatch
import Glibc

/// A point in time by which an operation must finish, on the monotonic clock.
public struct Deadline: Sendable, Comparable {
    fileprivate let nanoseconds: UInt64

    /// No deadline: wait as long as it takes.
    public static let never = Deadline(nanoseconds: .max)

    /// The deadline `seconds` from now.
    public static func after(seconds: Double) -> Deadline {
        guard seconds.isFinite, seconds < 1e9 else { return .never }
        return Deadline(nanoseconds: now() + UInt64(max(0, seconds) * 1e9))
    }

    /// Milliseconds left, for `poll`: -1 for no deadline, 0 when passed.
    var pollTimeout: Int32 {
        if self == .never { return -1 }
        let current = Deadline.now()
        guard nanoseconds > current else { return 0 }
        return Int32(min(UInt64(Int32.max), (nanoseconds - current + 999_999) / 1_000_000))
    }

    /// The same instant for Dispatch waits.
    var dispatchTime: DispatchTime {
        self == .never ? .distantFuture : DispatchTime(uptimeNanoseconds: nanoseconds)
    }

    /// Seconds left (0 once passed; infinity without a deadline).
    public var secondsLeft: Double {
        if self == .never { return .infinity }
        let current = Deadline.now()
        return nanoseconds > current ? Double(nanoseconds - current) / 1e9 : 0
    }

    /// Whether the deadline has passed.
    public var hasPassed: Bool { self != .never && Deadline.now() >= nanoseconds }

    private static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}
