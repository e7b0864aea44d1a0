import Foundation

/// The client side of one SASL exchange (RFC 4954), one small state machine per mechanism: replies
/// in, the next command or the outcome out. No I/O.
///
/// ```swift
/// var sasl = SASLClient(.login, credentials: credentials)
/// var command = sasl.start()                      // AUTH LOGIN
/// while case .send(let next) = sasl.receive(reply) { ... }
/// ```
public struct SASLClient: Sendable {
    /// What to do after a reply.
    public enum Action: Sendable, Equatable {
        /// Send this command and feed its reply back.
        case send(SMTPCommand)
        /// 235: authenticated.
        case succeeded
        /// The server refused: its final reply, and for XOAUTH2 the decoded error it explained
        /// itself with (Google's JSON challenge).
        case failed(SMTPReply, detail: String?)
        /// The server's challenge (this reply) was not valid base64; the exchange was cancelled with
        /// `*` (RFC 4954 §4) and the server has answered that.
        case invalidChallenge(SMTPReply)
    }

    private enum State: Sendable {
        case initial
        /// AUTH sent without an initial response; the answer waits for the server's 334.
        case awaitingEmptyChallenge(answer: String)
        case loginUser, loginPassword
        case cramChallenge
        /// XOAUTH2 refused with a 334 error challenge; the empty answer was sent.
        case xoauth2Error(detail: String)
        /// `*` was sent after a bad challenge.
        case cancelled(SMTPReply)
        case finalReply
        case done
    }

    /// The mechanism in use.
    public let mechanism: SASLMechanism
    private let credentials: SMTPCredentials?
    private let oauth2: (user: String, token: String)?
    private var state = State.initial

    /// A password exchange (PLAIN, LOGIN or CRAM-MD5).
    /// - Parameters:
    ///   - mechanism: the mechanism; XOAUTH2 needs ``init(user:token:)`` instead.
    ///   - credentials: user name and password, UTF-8.
    public init(_ mechanism: SASLMechanism, credentials: SMTPCredentials) {
        precondition(mechanism != .xoauth2, "XOAUTH2 takes a token: use SASLClient(user:token:)")
        self.mechanism = mechanism
        self.credentials = credentials
        self.oauth2 = nil
    }

    /// An XOAUTH2 exchange.
    /// - Parameters:
    ///   - user: the mailbox the token belongs to.
    ///   - token: the OAuth2 access token.
    public init(user: String, token: String) {
        mechanism = .xoauth2
        credentials = nil
        oauth2 = (user, token)
    }

    /// RFC 4954 §4 and RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with CRLF; a longer
    /// initial response is sent after an empty 334 challenge instead.
    static let maxCommandOctets = 512

    /// The AUTH command that starts the exchange.
    public mutating func start() -> SMTPCommand {
        guard case .initial = state else { preconditionFailure("start() called twice") }
        let initial: String?
        switch mechanism {
        case .plain: initial = SASLMechanism.plainResponse(credentials!)
        case .xoauth2: initial = SASLMechanism.xoauth2Response(user: oauth2!.user, token: oauth2!.token)
        case .login:
            state = .loginUser
            return .auth(mechanism: mechanism.rawValue, initialResponse: nil)
        case .cramMD5:
            state = .cramChallenge
            return .auth(mechanism: mechanism.rawValue, initialResponse: nil)
        }
        guard let initial else { preconditionFailure("unreachable") }
        if "AUTH \(mechanism.rawValue) \(initial)\r\n".utf8.count <= Self.maxCommandOctets {
            state = .finalReply
            return .auth(mechanism: mechanism.rawValue, initialResponse: initial)
        }
        state = .awaitingEmptyChallenge(answer: initial)
        return .auth(mechanism: mechanism.rawValue, initialResponse: nil)
    }

    /// Whether the exchange started is over with the server's next reply, whatever it says: PLAIN
    /// with its initial response. RFC 4954 §4 lets only such a mechanism share a pipelined group
    /// with the commands after AUTH (XOAUTH2 answers a refusal with a challenge that needs a reply).
    public var endsWithNextReply: Bool {
        guard mechanism == .plain, case .finalReply = state else { return false }
        return true
    }

    /// The next step after the server's `reply`.
    public mutating func receive(_ reply: SMTPReply) -> Action {
        switch state {
        case .initial, .done:
            preconditionFailure("SASLClient.receive in state \(state)")
        case .cancelled(let challenge):
            state = .done
            return .invalidChallenge(challenge)
        case .xoauth2Error(let detail):
            state = .done
            return .failed(reply, detail: detail)
        case _ where reply.code == 235:
            state = .done
            return .succeeded
        case _ where reply.code != 334:
            state = .done
            return .failed(reply, detail: nil)
        case .awaitingEmptyChallenge(let answer):
            state = .finalReply
            return .send(.authResponse(answer))
        case .loginUser:
            state = .loginPassword
            return .send(.authResponse(SASLMechanism.base64(credentials!.user)))
        case .loginPassword:
            state = .finalReply
            return .send(.authResponse(SASLMechanism.base64(credentials!.password)))
        case .cramChallenge:
            guard let response = SASLMechanism.cramMD5Response(credentials!, challenge: reply.text) else {
                state = .cancelled(reply)
                return .send(.authResponse("*"))
            }
            state = .finalReply
            return .send(.authResponse(response))
        case .finalReply:
            guard mechanism == .xoauth2 else {
                state = .done
                return .failed(reply, detail: nil)
            }
            // XOAUTH2: the server explains the refusal in a base64 JSON challenge; an empty answer
            // makes it send the final error reply (Google's protocol).
            let detail = Data(base64Encoded: reply.text).map { String(decoding: $0, as: UTF8.self) } ?? reply.text
            state = .xoauth2Error(detail: detail)
            return .send(.authResponse(""))
        }
    }
}
