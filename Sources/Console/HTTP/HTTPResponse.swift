import ConnectorKit
/// An HTTP/1.1 response the console sends, with the security headers every response carries.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The media type of the body.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Extra header fields (name, value).
    public var extraHeaders: [(String, String)]
    /// The Content-Security-Policy it carries; ``contentSecurityPolicy`` (the static one) by default.
    public var contentSecurityPolicy = HTTPResponse.contentSecurityPolicy

    /// Creates a response.
    /// - Parameters:
    ///   - status: the status code.
    ///   - contentType: the media type of the body.
    ///   - body: the body.
    ///   - extraHeaders: more header fields.
    public init(status: Int, contentType: String = "application/json", body: [UInt8], extraHeaders: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// No inline script or style, nothing from another origin, no framing of the console itself;
    /// captured HTML is shown in a sandboxed frame of the same origin.
    public static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

    /// The bytes to write: status line, headers, body.
    /// - Parameter closing: adds `Connection: close` (after an error, or when the client asked).
    public func serialized(closing: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        head += "Content-Security-Policy: \(contentSecurityPolicy)\r\n"
        head += "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n"
        head += "Cross-Origin-Resource-Policy: same-origin\r\n"
        for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
        if closing { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// The reason phrase of the statuses the console uses (RFC 9110 §15).
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.contentSecurityPolicy == rhs.contentSecurityPolicy
            && lhs.extraHeaders.elementsEqual(rhs.extraHeaders) { $0 == $1 }
    }
}

extension HTTPResponse {
    /// A JSON body.
    /// - Parameters:
    ///   - value: the body.
    ///   - status: the HTTP status.
    static func json(_ value: ConfigValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(((try? value.jsonText()) ?? "{}").utf8))
    }
}
