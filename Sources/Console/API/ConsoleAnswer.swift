import ConnectorKit

/// What a route answers, before it becomes bytes: JSON stays a ``ConfigValue`` until the route's
/// redaction (``ConsoleRoute/Redaction``) has run over it, so no answer is parsed back to be redacted.
enum ConsoleAnswer: Sendable {
    /// A JSON body (compact) with its status.
    case json(ConfigValue, status: Int = 200)
    /// A configuration to save as a file: pretty JSON, `Content-Disposition: attachment`.
    case download(ConfigValue, filename: String)
    /// A page, an asset, captured HTML or an attachment: sent as it is.
    case response(HTTPResponse)

    /// The answer with `redactor` applied to its JSON (a ready response is left as it is).
    func redacted(by redactor: SecretRedactor) -> ConsoleAnswer {
        switch self {
        case .json(let value, let status): .json(redactor.redact(value), status: status)
        case .download(let value, let filename): .download(redactor.redact(value), filename: filename)
        case .response: self
        }
    }

    /// The HTTP response.
    var response: HTTPResponse {
        switch self {
        case .json(let value, let status):
            return .json(value, status: status)
        case .download(let value, let filename):
            let text = (try? value.jsonText(pretty: true)) ?? "{}"
            return HTTPResponse(status: 200, body: Array((text + "\n").utf8),
                                extraHeaders: [("Content-Disposition", "attachment; filename=\"\(filename)\"")])
        case .response(let response):
            return response
        }
    }
}
