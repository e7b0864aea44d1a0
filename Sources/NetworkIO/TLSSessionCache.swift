import COpenSSL
import Glibc
import Locking

/// TLS sessions a client may resume, per server name: a resumed handshake (RFC 8446 §2.2) skips
/// the certificate exchange and its signature, which is most of a full handshake's cost on both
/// sides.
///
/// - Only sessions from handshakes that were verified (or from a context that does not verify)
///   are kept, under the name they were verified for; a resumed session carries that verification.
/// - Each session is offered once (RFC 8446 Appendix C.4: a ticket reused across connections lets
///   an observer link them); expired ones are dropped.
/// - At most `perName` sessions per name and `names` names are kept.
///
final class TLSSessionCache: Sendable {
    /// An owned reference to an `SSL_SESSION`. `@unchecked Sendable`: it moves between threads
    /// only through the cache's lock, and each is handed to exactly one caller.
    private struct Session: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let sessions = Locked<[String: [Session]]>([:])
    private let perName: Int
    private let names: Int

    init(perName: Int = 4, names: Int = 32) {
        self.perName = perName
        self.names = names
    }

    deinit {
        sessions.withLock { $0.values.joined().forEach { SSL_SESSION_free($0.pointer) } }
    }

    /// A session for `name` still within its lifetime, owned by the caller (free it after
    /// `SSL_set_session`); nil when there is none.
    func take(for name: String) -> OpaquePointer? {
        let now = time(nil)
        let (found, expired) = sessions.withLock { sessions -> (Session?, [Session]) in
            var expired: [Session] = []
            while var stored = sessions[name], let session = stored.popLast() {
                sessions[name] = stored.isEmpty ? nil : stored
                if SSL_SESSION_get_time(session.pointer) + SSL_SESSION_get_timeout(session.pointer) > now {
                    return (session, expired)
                }
                expired.append(session)
            }
            return (nil, expired)
        }
        expired.forEach { SSL_SESSION_free($0.pointer) }
        return found?.pointer
    }

    /// Keeps `session` (taking ownership) for `name` when it can be resumed.
    func store(_ session: OpaquePointer, for name: String) {
        guard SSL_SESSION_is_resumable(session) == 1 else { return SSL_SESSION_free(session) }
        let kept = Session(pointer: session)
        let dropped = sessions.withLock { sessions -> Session? in
            if sessions[name] == nil, sessions.count >= names { return kept }
            sessions[name, default: []].append(kept)  // newest last, taken first
            return sessions[name]!.count > perName ? sessions[name]!.removeFirst() : nil
        }
        if let dropped { SSL_SESSION_free(dropped.pointer) }
    }
}
