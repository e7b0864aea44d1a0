import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Locking

/// One HTTPS request and its answer through Foundation's `URLSession`, with the rules a mail API
/// client needs: TLS verified (the system's trust store), no redirect followed (a redirect could
/// carry a bearer token or a signed request elsewhere, or from https to http), a bounded response,
/// one timeout for the whole exchange, and Task cancellation.
///
/// Its errors say whether the request can have reached the server: ``HTTPFetchError/notSent``
/// (DNS, connection, TLS: nothing was sent, another provider may be tried) or
/// ``HTTPFetchError/noResponse`` (the request may have arrived: the outcome is unknown).
public final class HTTPFetcher: Sendable {
    /// The answer to a request.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// Header fields, names in lower case.
        public var headers: [String: String]
        /// The body.
        public var body: Data
    }

    private let session: URLSession
    private let delegate: FetchDelegate
    /// The most bytes of a response body kept; more fails the request.
    public let maxResponseBytes: Int

    /// A fetcher.
    /// - Parameters:
    ///   - timeout: seconds for the whole exchange (connect, TLS, request, response).
    ///   - maxResponseBytes: the largest response body accepted (default 1 MiB).
    public init(timeout: Double, maxResponseBytes: Int = 1 << 20) {
        (session, delegate) = Self.session(timeout: timeout)
        self.maxResponseBytes = maxResponseBytes
    }

    /// One URLSession per distinct timeout, made on first use and kept for the life of the process
    /// (a handful: one per timeout value in the configs used). Fetchers share them, so a connector
    /// made per request (the console's test sends) makes no session of its own, and no session is
    /// ever torn down: FoundationNetworking frees a session's libcurl handles on a thread of its
    /// own, and one that did so while the process was exiting crashed in OpenSSL's already
    /// cleaned-up locks (seen under ThreadSanitizer, after `doctor` had printed its result).
    private static let sessions = Locked<[Double: (URLSession, FetchDelegate)]>([:])

    private static func session(timeout: Double) -> (URLSession, FetchDelegate) {
        sessions.withLock { sessions in
            if let existing = sessions[timeout] { return existing }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
            configuration.httpShouldSetCookies = false
            configuration.urlCache = nil
            configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
            let delegate = FetchDelegate()
            let made = (URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil), delegate)
            sessions[timeout] = made
            return made
        }
    }

    /// Sends `request` and returns the answer, whatever its status (3xx included: not followed).
    /// - Throws: ``HTTPFetchError``.
    public func fetch(_ request: URLRequest) async throws -> Response {
        if Task.isCancelled { throw HTTPFetchError.cancelled }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(task, maxBytes: maxResponseBytes, continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Why a request got no usable answer.
public enum HTTPFetchError: Error, Sendable, Equatable {
    /// It failed before the request could reach the server (name, connection, TLS): nothing was sent.
    case notSent(String)
    /// It failed once the request may have reached the server (a timeout, a lost connection):
    /// whether the server acted on it is unknown.
    case noResponse(String)
    /// The response body passed the limit.
    case tooLarge(Int)
    /// The Task was cancelled.
    case cancelled

    /// `URLError` codes that come before any byte of the request is sent.
    static let beforeSending: Set<URLError.Code> = [
        .badURL, .unsupportedURL, .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed, .notConnectedToInternet,
        .secureConnectionFailed, .serverCertificateHasBadDate, .serverCertificateUntrusted, .serverCertificateHasUnknownRoot,
        .serverCertificateNotYetValid, .clientCertificateRejected, .clientCertificateRequired,
    ]

    /// - Parameters:
    ///   - error: what URLSession reported.
    ///   - bytesSent: request bytes written before it (`URLSessionTask.countOfBytesSent`).
    init(_ error: any Error, bytesSent: Int64 = 0) {
        // On Linux the delegate gets an NSError of NSURLErrorDomain, which does not always cast to URLError.
        let code: URLError.Code
        if let error = error as? URLError {
            code = error.code
        } else if (error as NSError).domain == NSURLErrorDomain, let known = URLError.Code(rawValue: (error as NSError).code) {
            code = known
        } else {
            self = .noResponse("\(error)")
            return
        }
        if code == .cancelled { self = .cancelled; return }
        let text = (error as NSError).localizedDescription 
        // On Linux a failed TLS handshake comes as NSURLErrorUnknown with libcurl's text ("SSL
        // certificate problem: ...", "SSL: no alternative certificate subject name matches ...",
        // "SSL connect error"): the handshake precedes every byte of the request, so nothing was
        // sent. libcurl words later TLS failures alike ("SSL_write() returned SYSCALL"), so only
        // these texts count, and only when no byte of the request was written.
        let handshakeTexts = ["SSL certificate problem", "no alternative certificate subject name", "SSL connect error",
                              "SSL: certificate subject name"]
        let tlsHandshake = code == .unknown && bytesSent == 0 && handshakeTexts.contains { text.contains($0) }
        self = Self.beforeSending.contains(code) || tlsHandshake ? .notSent(text) : .noResponse(text)
    }
}

/// The session's delegate: collects each task's body up to the limit and refuses redirects.
private final class FetchDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<HTTPFetcher.Response, any Error>
        /// The fetcher's limit for this task's body.
        var maxBytes: Int
        var body = Data()
        var failure: HTTPFetchError?
    }

    // Touched from URLSession's delegate queue and from `fetch`: behind the lock.
    private let pending = Locked<[Int: Pending]>([:])
    /// Results of tasks that completed before their continuation was registered (a task cancelled
    /// as it started): `register` takes them, so no continuation waits forever.
    private let early = Locked<[Int: Result<HTTPFetcher.Response, any Error>]>([:])

    func register(_ task: URLSessionTask, maxBytes: Int, _ continuation: CheckedContinuation<HTTPFetcher.Response, any Error>) {
        // Both maps under one order (pending, then early) in `register` and in completion alike.
        let finished = pending.withLock { pending -> Result<HTTPFetcher.Response, any Error>? in
            if let result = early.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) { return result }
            pending[task.taskIdentifier] = Pending(continuation: continuation, maxBytes: maxBytes)
            return nil
        }
        if let finished { continuation.resume(with: finished) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)  // the 3xx itself is the answer
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = pending.withLock { state -> Bool in
            guard var entry = state[dataTask.taskIdentifier], entry.failure == nil else { return false }
            entry.body.append(data)
            if entry.body.count > entry.maxBytes {
                entry.failure = .tooLarge(entry.maxBytes)
                entry.body = Data()
            }
            state[dataTask.taskIdentifier] = entry
            return entry.failure != nil
        }
        if tooLarge { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let entry = pending.withLock { pending -> Pending? in
            guard let entry = pending.removeValue(forKey: task.taskIdentifier) else {
                // Not registered yet: keep the result for `register`.
                early.withLock { $0[task.taskIdentifier] = Self.result(of: task, error: error, entry: nil) }
                return nil
            }
            return entry
        }
        if let entry { entry.continuation.resume(with: Self.result(of: task, error: error, entry: entry)) }
    }

    private static func result(of task: URLSessionTask, error: (any Error)?, entry: Pending?) -> Result<HTTPFetcher.Response, any Error> {
        if let failure = entry?.failure { return .failure(failure) }
        if let error { return .failure(HTTPFetchError(error, bytesSent: task.countOfBytesSent)) }
        guard let response = task.response as? HTTPURLResponse else { return .failure(HTTPFetchError.noResponse("the answer was not HTTP")) }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return .success(HTTPFetcher.Response(status: response.statusCode, headers: headers, body: entry?.body ?? Data()))
    }
}
