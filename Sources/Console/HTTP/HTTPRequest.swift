/// One HTTP/1.1 request as the console's server received it.
public struct HTTPRequest: Sendable, Equatable {
    /// The method, e.g. "GET" (case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The path of the request target, percent-decoded, e.g. "/api/validate", with empty segments
    /// dropped (see ``normalizedPath(_:)``).
    public private(set) var path: String
    /// The query parameters, percent-decoded; a name given twice keeps its last value.
    public var query: [String: String]
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The body (Content-Length octets; empty without one).
    public var body: [UInt8]
    /// Whether the client asked to close the connection after this request.
    public var closesConnection: Bool

    init(method: String, path: String, query: [String: String], headers: HTTPHeaders, body: [UInt8], closesConnection: Bool) {
        self.method = method
        self.path = Self.normalizedPath(path)
        self.query = query
        self.headers = headers
        self.body = body
        self.closesConnection = closesConnection
    }

    /// The path's segments (`/api/messages/3` is `api`, `messages`, `3`): what routing and the
    /// access policy both read.
    public var pathSegments: [Substring] { path.split(separator: "/") }

    /// `path` with empty segments dropped: `//api//resolve/` is `/api/resolve`. The router matches
    /// segments and redaction matches prefixes; done once here, both see the same spelling (a doubled
    /// slash once routed to an API handler whose answer redaction did not recognize). A path that
    /// does not start with "/" (not origin-form) is left as it is.
    static func normalizedPath(_ path: String) -> String {
        guard path.hasPrefix("/"), path.contains("//") || (path.count > 1 && path.hasSuffix("/")) else { return path }
        return "/" + path.split(separator: "/").joined(separator: "/")
    }
}

/// Header fields, looked up without regard to case (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable {
    /// The fields as received: name as sent, value with surrounding whitespace removed.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Creates an empty set of fields.
    public init() {}

    /// Adds a field.
    /// - Parameters:
    ///   - name: the field name.
    ///   - value: the field value.
    public mutating func append(name: String, value: String) {
        fields.append((name, value))
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The value of `name` when it was sent exactly once.
    public subscript(name: String) -> String? {
        let all = values(name)
        return all.count == 1 ? all[0] : nil
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Why a request could not be read: the status to answer with and a message that names the part.
public struct HTTPParseError: Error, Sendable, Equatable {
    /// 400, 413, 431, 501 or 505.
    public var status: Int
    /// What was wrong, e.g. "Content-Length is not a number".
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - status: the HTTP status to answer with.
    ///   - message: what was wrong.
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
