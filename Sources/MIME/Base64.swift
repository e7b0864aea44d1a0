import Foundation

/// Base64 (RFC 4648) for headers and bodies.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Base64 with CRLF after every 76 characters (RFC 2045 §6.8) and at the end, appended to
    /// `output`: 57 input octets make one line.
    static func encodeLines(_ bytes: [UInt8], into output: inout [UInt8]) {
        output += bytes.withUnsafeBytes { encodeLines($0) }
    }

    /// Base64 lines for `data`, written straight into an array of the exact final size.
    static func encodeLines(_ data: Data) -> [UInt8] {
        data.withUnsafeBytes { encodeLines($0) }
    }

    private static func encodeLines(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedLineSize(raw.count)) { buffer, initialized in
            initialized = raw.count == 0 ? 0 : encodeLines(raw, into: buffer.baseAddress!)
        }
    }

    /// The size of ``encodeLines(_:into:)``'s output for `count` input octets.
    static func encodedLineSize(_ count: Int) -> Int {
        let rest = count % 57
        return count / 57 * 78 + (rest == 0 ? 0 : (rest + 2) / 3 * 4 + 2)
    }

    /// Writes base64 lines for `raw` at `destination`, which must hold ``encodedLineSize(_:)``
    /// octets; returns how many were written.
    static func encodeLines(_ raw: UnsafeRawBufferPointer, into destination: UnsafeMutablePointer<UInt8>) -> Int {
        let count = raw.count
        guard count > 0, let base = raw.baseAddress else { return 0 }
        let input = base.assumingMemoryBound(to: UInt8.self)
        let fullLines = count / 57
        return alphabet.withUnsafeBufferPointer { alphabet in
            let table = alphabet.baseAddress!
            var source = input
            var target = destination
            @inline(__always) func quantum(_ value: UInt32) {
                target[0] = table[Int(value >> 18)]
                target[1] = table[Int((value >> 12) & 63)]
                target[2] = table[Int((value >> 6) & 63)]
                target[3] = table[Int(value & 63)]
                target += 4
            }
            for _ in 0..<fullLines {
                for _ in 0..<19 {
                    quantum(UInt32(source[0]) << 16 | UInt32(source[1]) << 8 | UInt32(source[2]))
                    source += 3
                }
                target[0] = 0x0D
                target[1] = 0x0A
                target += 2
            }
            if count % 57 > 0 {
                let end = input + count
                while end - source >= 3 {
                    quantum(UInt32(source[0]) << 16 | UInt32(source[1]) << 8 | UInt32(source[2]))
                    source += 3
                }
                let remaining = end - source
                if remaining > 0 {
                    quantum(UInt32(source[0]) << 16 | (remaining == 2 ? UInt32(source[1]) << 8 : 0))
                    target[-1] = UInt8(ascii: "=")
                    if remaining == 1 { target[-2] = UInt8(ascii: "=") }
                }
                target[0] = 0x0D
                target[1] = 0x0A
                target += 2
            }
            return target - destination
        }
    }
}
