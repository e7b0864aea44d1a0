import Foundation

/// A node of the MIME tree (RFC 2046): a leaf with encoded content, or a multipart container.
indirect enum MIMEPart {
    case leaf(headers: [String], body: [UInt8])
    case multipart(subtype: String, parts: [MIMEPart])

    /// The header lines that describe this part (Content-Type and friends), without CRLF.
    func contentHeaders(boundary: String) -> [String] {
        switch self {
        case .leaf(let headers, _): return headers
        case .multipart(let subtype, _): return ["Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\""]
        }
    }

    /// Writes the body of this part (after its headers and the blank line).
    func writeBody(into output: inout [UInt8], boundaries: inout BoundaryGenerator, boundary: String) {
        switch self {
        case .leaf(_, let body):
            output += body
        case .multipart(_, let parts):
            // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, so each part's
            // own final CRLF (content) gets one more before the next "--boundary".
            for (index, part) in parts.enumerated() {
                output += Array("\(index == 0 ? "" : "\r\n")--\(boundary)\r\n".utf8)
                let inner = boundaries.next()
                for line in part.contentHeaders(boundary: inner) { output += Array((line + "\r\n").utf8) }
                output += [0x0D, 0x0A]
                part.writeBody(into: &output, boundaries: &boundaries, boundary: inner)
            }
            output += Array("\r\n--\(boundary)--\r\n".utf8)
        }
    }
}

/// Boundaries that cannot occur in encoded content: "=_" never appears in base64 or in
/// quoted-printable output (where "=" is always followed by hex digits or a line break), and
/// 7bit parts are checked by the composer.
struct BoundaryGenerator {
    private let stem = "=_Part_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20)
    private var counter = 0

    mutating func next() -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    var stemText: String { stem }
}
