/// DKIM "relaxed" canonicalization (RFC 6376 §3.4.2 and §3.4.4), over CRLF-terminated bytes.
public enum DKIMCanonicalization {
    /// One header field, relaxed: lower-case name, unfolded, runs of whitespace as one space,
    /// no whitespace around the colon or at the end. `field` is `Name: value` possibly folded,
    /// without its final CRLF.
    public static func relaxedHeader(_ field: [UInt8]) -> [UInt8] {
        guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return field }
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        for byte in field[..<colon] where !isWhitespace(byte) && byte != 0x0D && byte != 0x0A {
            output.append(byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte)
        }
        output.append(UInt8(ascii: ":"))
        var pendingSpace = false
        var started = false
        for byte in field[(colon + 1)...] {
            if byte == 0x0D || byte == 0x0A { continue }  // unfold
            if isWhitespace(byte) {
                pendingSpace = started
                continue
            }
            if pendingSpace { output.append(0x20) }
            pendingSpace = false
            started = true
            output.append(byte)
        }
        return output
    }

    /// The body, relaxed: whitespace at line ends removed, runs of whitespace as one space, empty
    /// lines at the end removed, and a non-empty body ending in exactly one CRLF.
    public static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var line: [UInt8] = []
        var emptyLinesPending = 0
        var index = body.startIndex
        func flush(_ line: inout [UInt8]) {
            while let last = line.last, isWhitespace(last) { line.removeLast() }
            if line.isEmpty {
                emptyLinesPending += 1
            } else {
                for _ in 0..<emptyLinesPending { output += [0x0D, 0x0A] }
                emptyLinesPending = 0
                output += line
                output += [0x0D, 0x0A]
            }
            line.removeAll(keepingCapacity: true)
        }
        while index < body.endIndex {
            let byte = body[index]
            if byte == 0x0D, index + 1 < body.endIndex, body[index + 1] == 0x0A {
                flush(&line)
                index += 2
                continue
            }
            if isWhitespace(byte) {
                if line.last != 0x20 { line.append(0x20) }
            } else {
                line.append(byte)
            }
            index += 1
        }
        if !line.isEmpty { flush(&line) }
        return output
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
