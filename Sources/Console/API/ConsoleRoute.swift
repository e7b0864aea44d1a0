/// One route of the console: method, path pattern, how its answer is redacted, and its handler.
/// ``ConsoleAPI/routes`` lists them all; 404 and 405 come from the same table.
struct ConsoleRoute: Sendable {
    /// Whether the answer may carry the text of a config's secrets.
    enum Redaction: Sendable {
        /// Built from a config or a draft: every secret's text is replaced by the mask, wherever it
        /// ended up (a value derived from `auth.user`, a validator or a server reply quoting it).
        case secrets
        /// The page, its assets, connector metadata and captured mail (shown as it was sent).
        case none
    }

    /// A request that matched, with the segments the pattern's `*` stood for.
    struct Match {
        let request: HTTPRequest
        let captured: [String]
    }

    /// `GET`, `POST` or `DELETE`.
    let method: String
    /// The path with `*` for one segment: `/api/messages/*`.
    let pattern: String
    let redaction: Redaction
    let handler: @Sendable (ConsoleAPI, Match) async throws -> ConsoleAnswer

    init(_ method: String, _ pattern: String, _ redaction: Redaction,
         _ handler: @escaping @Sendable (ConsoleAPI, Match) async throws -> ConsoleAnswer) {
        self.method = method
        self.pattern = pattern
        self.redaction = redaction
        self.handler = handler
    }

    /// The segments `*` stands for when `segments` have the shape of the pattern, else nil.
    func captures(_ segments: [Substring]) -> [String]? {
        let expected = pattern.split(separator: "/")
        guard expected.count == segments.count else { return nil }
        var captured: [String] = []
        for (want, have) in zip(expected, segments) {
            if want == "*" { captured.append(String(have)) } else if want != have { return nil }
        }
        return captured
    }
}
