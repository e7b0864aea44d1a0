/// A text body made ready for a part in one pass over its UTF-8: every line ending becomes CRLF
/// (RFC 5321 §2.3.8: no bare CR or LF on the wire), a final CRLF is added when missing, and what
/// the choice of encoding needs is counted on the way.
struct TextBody {
    /// The normalized bytes, ending with CRLF.
    private(set) var bytes: [UInt8] = []
    private var nonASCII = 0
    private var longestLine = 0
    private var hasNUL = false

    /// Normalizes `text`.
    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        // A contiguous native string always offers its storage.
        _ = text.utf8.withContiguousStorageIfAvailable { scan($0) }
    }

    /// 7bit when ASCII with lines of at most 998 octets (RFC 5322 §2.1.1) and no NUL; base64 when
    /// more than a third is non-ASCII; quoted-printable otherwise (readable, compact).
    var encoding: BodyEncoding {
        if nonASCII == 0, !hasNUL, longestLine <= 998 { return .sevenBit }
        return nonASCII * 3 > bytes.count ? .base64 : .quotedPrintable
    }

    /// The part's content in `encoding`: the bytes themselves for 7bit, so nothing is copied.
    var encoded: [UInt8] {
        var output: [UInt8] = []
        switch encoding {
        case .sevenBit: return bytes
        case .quotedPrintable: QuotedPrintable.encode(bytes, into: &output)
        case .base64: Base64.encodeLines(bytes, into: &output)
        }
        return output
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>) {
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        // Each CR or LF becomes at most two octets, and a final CRLF may be added.
        var breaks = 0
        for byte in input where byte == cr || byte == lf { breaks += 1 }
        var nonASCII = 0, longestLine = 0, hasNUL = false
        bytes = [UInt8](unsafeUninitializedCapacity: input.count + breaks + 2) { output, count in
            var read = 0, written = 0, lineStart = 0
            while read < input.count {
                let byte = input[read]
                if byte == cr || byte == lf {
                    longestLine = max(longestLine, written - lineStart)
                    output[written] = cr
                    output[written + 1] = lf
                    written += 2
                    lineStart = written
                    // CRLF is one line ending, not two.
                    read += byte == cr && read + 1 < input.count && input[read + 1] == lf ? 2 : 1
                    continue
                }
                if byte >= 0x80 { nonASCII += 1 } else if byte == 0 { hasNUL = true }
                output[written] = byte
                written += 1
                read += 1
            }
            if written == 0 || output[written - 1] != lf {
                longestLine = max(longestLine, written - lineStart)
                output[written] = cr
                output[written + 1] = lf
                written += 2
            }
            count = written
        }
        self.nonASCII = nonASCII
        self.longestLine = longestLine
        self.hasNUL = hasNUL
    }
}
