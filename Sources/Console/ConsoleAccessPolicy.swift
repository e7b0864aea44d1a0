import NetworkIO

/// Who may use the console: the checks every request passes before it reaches the API.
///
/// - **Token**: a random token per run, sent as `Authorization: Bearer TOKEN` by the page's API
///   calls, or as `?token=` by the page and its assets when the operator opens the printed URL.
/// - **Host** (DNS rebinding): the Host header must be the listen address or `localhost`, with the
///   listen port; a page on another name that resolves to 127.0.0.1 is refused.
/// - **CSRF**: state-changing methods need the header `X-Console-Request: 1` (which a cross-site
///   form cannot set without a CORS preflight that the console never grants) and, when the
///   browser sends one, an `Origin` that is the console's own.
public struct ConsoleAccessPolicy: Sendable {
    /// The access token of this run.
    public let token: String
    /// The Host header values accepted, e.g. "127.0.0.1:8025" and "localhost:8025".
    public let allowedHosts: Set<String>

    /// The header the page sets on state-changing requests.
    public static let requestHeader = "X-Console-Request"

    /// Creates the policy for a console listening on `host`:`port`.
    /// - Parameters:
    ///   - token: the access token of this run.
    ///   - host: the listen address (an IPv6 address without brackets).
    ///   - port: the listen port.
    public init(token: String, host: String, port: Int) {
        self.token = token
        allowedHosts = [SocketAddress.authority(host: host, port: port), "localhost:\(port)"]
    }

    /// Why `request` is refused, or nil when it may proceed.
    public func refusal(_ request: HTTPRequest) -> String? {
        guard let host = request.headers["Host"]?.lowercased(), allowedHosts.contains(host) else {
            return "the Host header is not this console's address"
        }
        guard hasToken(request) else { return "the access token is missing or wrong; open the URL the console printed" }
        if !["GET", "HEAD"].contains(request.method) {
            guard request.headers[Self.requestHeader] == "1" else {
                return "a state-changing request needs the \(Self.requestHeader) header"
            }
            let origins = request.headers.values("Origin")
            guard origins.count <= 1, origins.allSatisfy({ origin in allowedHosts.contains { "http://\($0)" == origin.lowercased() } }) else {
                return "the Origin is not this console"
            }
        }
        return nil
    }

    private func hasToken(_ request: HTTPRequest) -> Bool {
        if let authorization = request.headers["Authorization"], authorization.hasPrefix("Bearer ") {
            return Self.constantTimeEqual(String(authorization.dropFirst(7)), token)
        }
        // Only the page and its assets come by URL; the API wants the header.
        // Judged by the first segment, as the router reads paths.
        if request.pathSegments.first != "api", request.method == "GET", let given = request.query["token"] {
            return Self.constantTimeEqual(given, token)
        }
        return false
    }

    /// Compares without stopping at the first difference, so timing tells nothing of the token.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
