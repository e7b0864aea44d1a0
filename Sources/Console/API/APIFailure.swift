import ConnectorKit

/// A request the API answers with an error: the HTTP status and the ``ConnectorError`` whose
/// `{"error": {...}}` shape the body takes (the same as the CLI's `--json`).
struct APIFailure: Error {
    var status: Int
    var error: ConnectorError

    init(_ status: Int, _ error: ConnectorError) {
        self.status = status
        self.error = error
    }

    init(_ status: Int, code: ConnectorError.Code = .invalidRequest, _ message: String, hint: String? = nil) {
        self.init(status, ConnectorError(code, message, hint: hint))
    }

    /// A status that fits a connector's error: 422 for a config the connector refuses, 502 for
    /// what the mail server or network said, 500 for the rest.
    static func status(for error: ConnectorError) -> Int {
        switch error.code {
        case .invalidConfig, .templateNotFound, .invalidRequest: 422
        case .general, .shutDown, .cancelled: 500
        default: 502
        }
    }

    /// The `{"error": {...}}` answer.
    var answer: ConsoleAnswer { .json(error.jsonValue, status: status) }
}
