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

    /// Answers one request: the route its method and path match (404 when no pattern matches the
    /// path, 405 when one does for another method), its answer or error as JSON, then the route's
    /// redaction.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let segments = request.pathSegments
        let matches = Self.routes.compactMap { route in route.captures(segments).map { (route, $0) } }
        // Unmatched paths are redacted too: an error may quote what the request held.
        let found = matches.first { $0.0.method == request.method }
        var answer: ConsoleAnswer
        do {
            guard let (route, captured) = found else {
                if matches.isEmpty { throw APIFailure(404, "There is no \(request.path).", hint: "See Docs/Console.md for the routes.") }
                throw APIFailure(405, "\(request.method) is not allowed on \(request.path).",
                                 hint: "It takes \(matches.map(\.0.method).joined(separator: ", ")); see Docs/Console.md.")
            }
            answer = try await route.handler(self, ConsoleRoute.Match(request: request, captured: captured))
        } catch let failure as APIFailure {
            answer = failure.answer
        } catch let error as ConnectorError {
            answer = APIFailure(APIFailure.status(for: error), error).answer
        } catch {
            answer = APIFailure(500, code: .general, "\(error)").answer
        }
        if found?.0.redaction != ConsoleRoute.Redaction.none {
            answer = answer.redacted(by: redactor(for: request))
        }
        return answer.response
    }

    /// A redactor for the stored config's secrets and those of the request's draft, if it has one.
    private func redactor(for request: HTTPRequest) -> SecretRedactor {
        var sources = [store.current.config]
        if let draft = try? ConsoleDraft(request) { sources.append(store.unmasking(draft.config, connector: draft.connector).0) }
        return SecretRedactor(.array(sources))
    }

    static func number(_ text: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw APIFailure(404, "\"\(text)\" is not a message number.") }
        return value
    }
}
