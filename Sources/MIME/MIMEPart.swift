import Foundation

/// A node of the MIME tree (RFC 2046): a leaf with encoded content, or a multipart container.
indirect enum MIMEPart {
    case leaf(headers: [String], body: Chunk)
    case multipart(subtype: String, parts: [MIMEPart])

    /// Output bytes, or data still to be base64-encoded straight into the output buffer.
    enum Chunk {
        case bytes([UInt8])
        case base64(Data)

        var size: Int {
            switch self {
            case .bytes(let bytes): return bytes.count
            case .base64(let data): return Base64.encodedLineSize(data.count)
            }
        }
    }

    /// The header lines that describe this part (Content-Type and friends), without CRLF.
    func contentHeaders(boundary: String) -> [String] {
        switch self {
        case .leaf(let headers, _): return headers
        case .multipart(let subtype, _): return ["Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\""]
        }
    }

    /// Appends the chunks of this part's body (after its headers and the blank line).
    func appendBody(to chunks: inout [Chunk], boundaries: inout BoundaryGenerator, boundary: String) {
        switch self {
        case .leaf(_, let body):
            chunks.append(body)
        case .multipart(_, let parts):
            // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, so each part's
            // own final CRLF (content) gets one more before the next "--boundary".
            for (index, part) in parts.enumerated() {
                let inner = boundaries.next()
                var text = "\(index == 0 ? "" : "\r\n")--\(boundary)\r\n"
                for line in part.contentHeaders(boundary: inner) { text += line + "\r\n" }
                chunks.append(.bytes(Array((text + "\r\n").utf8)))
                part.appendBody(to: &chunks, boundaries: &boundaries, boundary: inner)
            }
            chunks.append(.bytes(Array("\r\n--\(boundary)--\r\n".utf8)))
        }
    }

    /// Joins chunks into one array allocated once at its final size; base64 is encoded in place.
    static func join(_ chunks: [Chunk]) -> [UInt8] {
        let total = chunks.reduce(0) { $0 + $1.size }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var target = buffer.baseAddress!
            for chunk in chunks {
                switch chunk {
                case .bytes(let bytes):
                    bytes.withUnsafeBufferPointer { source in
                        if let base = source.baseAddress { target.update(from: base, count: source.count) }
                    }
                    target += bytes.count
                case .base64(let data):
                    target += data.withUnsafeBytes { Base64.encodeLines($0, into: target) }
                }
            }
            initialized = target - buffer.baseAddress!
        }
    }
}

/// Boundaries that cannot occur in encoded content: "=_" never appears in base64 or in
/// quoted-printable output (where "=" is always followed by hex digits or a line break), and
/// 7bit parts are checked by the composer.
struct BoundaryGenerator {
    private let stem = "=_Part_" + RandomToken.hex(20)
    private var counter = 0

    mutating func next() -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    var stemText: String { stem }
}
