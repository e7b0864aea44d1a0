/// Prepares a message for SMTP DATA (RFC 5321 §4.5.2 and §2.3.8).
///
/// Line endings are normalized first (CRLF, lone CR and lone LF all become CRLF), so no bare CR or
/// LF reaches the server and `<LF>.<CR><LF>` can never end the data early (SMTP smuggling,
/// CVE-2023-51764). Then every line starting with "." gets one more ".", the data is made to end in
/// CRLF, and the terminating `.CRLF` is appended.
public enum DotStuffer {
    /// The bytes to send after the 354 reply, terminator included.
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        message.withUnsafeBufferPointer { input in
            var index = 0
            while index < input.count {
                // Copy the run of ordinary bytes up to the next line ending in one piece.
                if atLineStart, input[index] == dot { output.append(dot) }
                var end = index
                while end < input.count, input[end] != cr, input[end] != lf { end += 1 }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                atLineStart = false
                guard end < input.count else { break }
                output.append(cr)
                output.append(lf)
                // CRLF counts as one line ending, not two; a bare CR or LF becomes CRLF.
                index = input[end] == cr && end + 1 < input.count && input[end + 1] == lf ? end + 2 : end + 1
                atLineStart = true
            }
        }
        if !atLineStart { output += [cr, lf] }
        output += [dot, cr, lf]
        return output
    }
}
