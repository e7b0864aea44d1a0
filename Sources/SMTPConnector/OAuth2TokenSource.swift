import ConnectorKit
import Foundation
import HTTPSupport
import SMTP
import SMTPWire
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where XOAUTH2 access tokens come from when the config gives more than a fixed token:
/// an `accessToken` with `expires`, refreshed through the token endpoint with
/// `clientId` + `clientSecret` + `refreshToken` (OAuth 2.0 refresh grant, RFC 6749 §6), or a
/// service account (`serviceClient` + `privateKey`: a JWT bearer assertion signed RS256, RFC 7523).
///
/// A token is reused until a minute before it expires; concurrent sends share one refresh.
actor OAuth2TokenSource {
    /// The grant used to get a new token.
    enum Grant: Sendable, Equatable {
        case refreshToken(clientId: String, clientSecret: String, refreshToken: String)
        case serviceAccount(serviceClient: String, privateKeyPEM: String, scope: String)

        /// The grant type, for events: `refresh_token` or `jwt_bearer`.
        var name: String {
            switch self {
            case .refreshToken: "refresh_token"
            case .serviceAccount: "jwt_bearer"
            }
        }
    }

    /// A failure at the token endpoint; never contains a secret.
    struct TokenError: Error, CustomStringConvertible {
        var description: String
    }

    private let user: String
    private let grant: Grant?
    private let endpoint: URL
    private var token: String?
    private var expiry: Date?
    private var refreshing: Task<(String, Date?), any Error>?
    /// Told about each fetch from the token endpoint: the grant's name, whether it worked, how long it took.
    private let onRefresh: (@Sendable (String, Bool, Duration) -> Void)?

    init(user: String, accessToken: String?, expires: Date?, grant: Grant?, endpoint: URL,
         onRefresh: (@Sendable (_ grant: String, _ ok: Bool, _ duration: Duration) -> Void)? = nil) {
        self.onRefresh = onRefresh
        self.user = user
        self.token = accessToken
        self.expiry = expires
        self.grant = grant
        self.endpoint = endpoint
    }

    /// A token valid for at least another minute, refreshing it first when needed.
    func currentToken() async throws -> String {
        if let token, expiry.map({ $0.timeIntervalSinceNow > 60 }) ?? (grant == nil) {
            return token
        }
        // Without a grant, a token in its last minute is still used: nothing can replace it yet.
        if grant == nil, let token, let expiry, expiry.timeIntervalSinceNow > 0 {
            return token
        }
        guard let grant else {
            if token != nil, let expiry {
                // Logto and nodemailer accept an accessToken without refreshToken; once it expires
                // there is nothing to renew it with, and that is the fix to name.
                throw SMTPError(.authentication, phase: .auth, "the OAuth2 access token expired at \(expiry) and there is no refresh token to renew it",
                                hint: "Add auth.refreshToken (with auth.clientId and auth.clientSecret) so the connector renews the token itself, or give a fresh auth.accessToken and auth.expires.")
            }
            throw TokenError(description: "no access token and no way to get one")
        }
        if let refreshing { return try await refreshing.value.0 }
        let task = Task { [user, endpoint, onRefresh] in
            let started = ContinuousClock.now
            do {
                let fetched = try await Self.fetch(grant: grant, user: user, endpoint: endpoint)
                onRefresh?(grant.name, true, started.duration(to: .now))
                return fetched
            } catch {
                onRefresh?(grant.name, false, started.duration(to: .now))
                throw error
            }
        }
        refreshing = task
        defer { refreshing = nil }
        let (fresh, expires) = try await task.value
        token = fresh
        expiry = expires
        return fresh
    }

    private static func fetch(grant: Grant, user: String, endpoint: URL) async throws -> (String, Date?) {
        var form: [(String, String)]
        switch grant {
        case .refreshToken(let clientId, let clientSecret, let refreshToken):
            form = [("grant_type", "refresh_token"), ("client_id", clientId), ("client_secret", clientSecret),
                    ("refresh_token", refreshToken)]
        case .serviceAccount(let serviceClient, let privateKeyPEM, let scope):
            let now = Int(Date().timeIntervalSince1970)
            let claims: ConfigValue = ["iss": .string(serviceClient), "sub": .string(user), "scope": .string(scope),
                                       "aud": .string(endpoint.absoluteString), "iat": .number(Double(now)),
                                       "exp": .number(Double(now + 3600))]
            let assertion = try JWT.signRS256(claims: claims, privateKeyPEM: privateKeyPEM)
            form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
        }
        var request = URLRequest(url: endpoint, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(form.map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&").utf8)
        // No redirect is followed (the grant must not be re-posted elsewhere, least of all from
        // https to http) and the answer is bounded: a token response is a few hundred bytes.
        let response: HTTPFetcher.Response
        do {
            response = try await Self.fetcher.fetch(request)
        } catch HTTPFetchError.tooLarge(let limit) {
            throw TokenError(description: "the token endpoint (auth.accessUrl) answered with more than \(limit) bytes")
        } catch {
            throw TokenError(description: "the token endpoint (auth.accessUrl) could not be reached (\(error))")
        }
        if (300...399).contains(response.status) {
            let target = response.headers["location"].map { " to \($0)" } ?? ""
            throw TokenError(description: "the token endpoint (auth.accessUrl) redirected\(target); redirects are not followed: give the endpoint itself")
        }
        let status = response.status
        let body = try? ConfigValue.parse(json: response.body)
        guard status == 200, let accessToken = body?["access_token"]?.stringValue else {
            // The endpoint's own words, scrubbed of everything this request sent that is secret: an
            // endpoint that echoes "invalid client_secret abc..." must not put it into an error.
            let sent: [String]
            switch grant {
            case .refreshToken(_, let clientSecret, let refreshToken): sent = [clientSecret, refreshToken]
            case .serviceAccount: sent = form.filter { $0.0 == "assertion" }.map(\.1)
            }
            func scrub(_ text: String) -> String {
                sent.filter { $0.count >= 3 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
            }
            let code = scrub(body?["error"]?.stringValue ?? "HTTP \(status)")
            let detail = body?["error_description"]?.stringValue.map { ": \(scrub($0))" } ?? ""
            throw TokenError(description: "the token endpoint refused the grant (\(code)\(detail))")
        }
        return (accessToken, Date().addingTimeInterval(lifetime(body?["expires_in"])))
    }

    /// A token's lifetime without `expires_in` (RFC 6749 §5.1 makes it optional): an hour, what
    /// Google and Microsoft issue, so the token is reused instead of fetched for every connection.
    static let defaultLifetime: TimeInterval = 3600

    /// The largest token response read (64 KiB).
    static let maxResponseBytes = 65_536
    /// One fetcher for every token request of the process.
    private static let fetcher = HTTPFetcher(timeout: 30, maxResponseBytes: maxResponseBytes)

    /// `expires_in` in seconds: a number, or a numeric string as some endpoints send it; absent or
    /// unreadable means ``defaultLifetime``, and zero or less means already expired (not reused).
    static func lifetime(_ value: ConfigValue?) -> TimeInterval {
        let seconds = value?.numberValue ?? value?.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard let seconds, seconds.isFinite else { return defaultLifetime }
        return max(0, seconds)
    }

    /// application/x-www-form-urlencoded (WHATWG URL): unreserved characters as they are, the rest %XX.
    static func formEncode(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*".utf8)
        return text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}
