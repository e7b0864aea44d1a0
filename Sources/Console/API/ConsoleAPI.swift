import ConnectorKit
import DevServer
import Foundation
import Locking
import StandardConnectors

/// The console's JSON API and its page, behind ``HTTPServer`` (which has already checked the
/// token, Host and Origin). Docs/Console.md lists every route; the page uses nothing else.
///
/// Request bodies are JSON objects. Errors are `{"error": {"code", "message", "phase", "reply",
/// "hint"}}` with a 4xx or 5xx status. No response carries a confidential value.
final class ConsoleAPI: Sendable {
    let registry: ConnectorRegistry
    let presets: PresetCatalog
    let store: ConfigStore
    let devServer: DevServer?
    let token: String
    /// Validate, send-test, diagnose and preview, shared with the CLI.
    let operations: ConnectorOperations
    /// What each test send carried, by Message-ID, so the inbox checks look for that code and
    /// that DKIM key. Kept in memory only.
    let sentTests = Locked<[String: SentTest]>([:])

    /// What the inbox checks need to know of a test send.
    struct SentTest {
        /// The code in the payload.
        var code: String
        /// The DKIM private key it was signed with, if any.
        var dkimKeyPEM: String?
        /// When it was sent.
        var sentAt: Date
    }

    init(registry: ConnectorRegistry, presets: PresetCatalog, store: ConfigStore, devServer: DevServer?, token: String) {
        self.registry = registry
        self.presets = presets
        self.store = store
        self.devServer = devServer
        self.token = token
        operations = ConnectorOperations(registry: registry, presets: presets)
    }

    /// Answers one request.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await route(request)
        } catch let failure as APIFailure {
            response = failure.response
        } catch let error as ConnectorError {
            response = APIFailure(APIFailure.status(for: error), error).response
        } catch {
            response = APIFailure(500, code: .general, "\(error)").response
        }
        return redacting(response, for: request)
    }

    /// Answers about a config (not captured mail, which shows what was sent) lose the text of every
    /// secret, stored or in the request, wherever it ended up: `fromEmail` derived from
    /// `auth.user`, a validator quoting a value, a server reply quoting the user name.
    private func redacting(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        // Connector metadata holds no config; captured mail is shown as it was sent.
        guard request.path.hasPrefix("/api/"), !request.path.hasPrefix("/api/messages"), request.path != "/api/connectors",
              response.contentType.hasPrefix("application/json") else { return response }
        var sources = [store.current.config]
        if let draft = try? ConsoleDraft(request) { sources.append(store.unmasking(draft.config).0) }
        let redactor = SecretRedactor(.array(sources))
        var redacted = response
        // On the parsed value, not the JSON text, so escaped characters in a secret cannot hide it.
        let text = String(decoding: response.body, as: UTF8.self)
        if let value = try? ConfigValue.parse(json: text), let clean = try? redactor.redact(value).jsonText(pretty: response.extraHeaders.isEmpty == false) {
            redacted.body = Array((clean + (text.hasSuffix("\n") ? "\n" : "")).utf8)
        } else {
            redacted.body = Array(redactor.redact(text).utf8)
        }
        return redacted
    }

    private func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        let method = request.method
        func match(_ pattern: String) -> [String]? { Self.match(pattern, request.path) }
        if method == "GET", match("/") != nil { return ConsolePage.html(token: token) }
        if method == "GET", let name = match("/assets/*")?.first { return try ConsolePage.asset(named: name) }
        if method == "GET", match("/api/connectors") != nil { return connectors() }
        if method == "GET", match("/api/state") != nil { return state() }
        if method == "POST", match("/api/validate") != nil { return try validate(ConsoleDraft(request)) }
        if method == "POST", match("/api/resolve") != nil { return try resolve(ConsoleDraft(request)) }
        if method == "POST", match("/api/send-test") != nil { return try await sendTest(ConsoleDraft(request), TestSendRequest(request)) }
        if method == "POST", match("/api/doctor") != nil { return try await doctor(ConsoleDraft(request)) }
        if method == "POST", match("/api/preview") != nil { return try await preview(ConsoleDraft(request), TestSendRequest(request)) }
        if method == "POST", match("/api/config/save") != nil { return try save(ConsoleDraft(request)) }
        if method == "POST", match("/api/config/export") != nil { return try export(ConsoleDraft(request)) }
        if method == "GET", match("/api/messages") != nil { return try messages() }
        if method == "DELETE", match("/api/messages") != nil { return try deleteMessages() }
        if method == "GET", let id = match("/api/messages/*")?.first { return try message(Self.number(id)) }
        if method == "DELETE", let id = match("/api/messages/*")?.first { return try deleteMessage(Self.number(id)) }
        if method == "GET", let id = match("/inbox/*/html")?.first { return try messageHTML(Self.number(id)) }
        if method == "GET", let parts = match("/inbox/*/attachments/*") { return try attachment(Self.number(parts[0]), Self.number(parts[1])) }
        if Self.routes.contains(where: { Self.match($0, request.path) != nil }) {
            throw APIFailure(405, "\(method) is not allowed on \(request.path).", hint: "See Docs/Console.md for each route's method.")
        }
        throw APIFailure(404, "There is no \(request.path).", hint: "See Docs/Console.md for the routes.")
    }

    private static let routes = ["/", "/assets/*", "/api/connectors", "/api/state", "/api/validate", "/api/resolve", "/api/send-test",
                                 "/api/doctor", "/api/preview", "/api/config/save", "/api/config/export", "/api/messages",
                                 "/api/messages/*", "/inbox/*/html", "/inbox/*/attachments/*"]

    /// The segments `*` stands for when `path` has the shape of `pattern`, else nil.
    static func match(_ pattern: String, _ path: String) -> [String]? {
        let expected = pattern.split(separator: "/"), given = path.split(separator: "/")
        guard expected.count == given.count else { return nil }
        var captured: [String] = []
        for (want, have) in zip(expected, given) {
            if want == "*" { captured.append(String(have)) } else if want != have { return nil }
        }
        return captured
    }

    static func number(_ text: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw APIFailure(404, "\"\(text)\" is not a message number.") }
        return value
    }
}
