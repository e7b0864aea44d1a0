import Foundation

/// Base64 (RFC 4648) for headers and bodies.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Base64 with CRLF after every 76 characters (RFC 2045 §6.8) and at the end, appended to
    /// `output` in one pass: 57 input octets make one line.
    static func encodeLines(_ bytes: [UInt8], into output: inout [UInt8]) {
        let lineCount = (bytes.count + 56) / 57
        let start = output.count
        output.reserveCapacity(start + lineCount * 78)
        let table = alphabet
        bytes.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { table in
                var index = 0
                while index < input.count {
                    let lineEnd = min(index + 57, input.count)
                    while index + 3 <= lineEnd {
                        let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        output.append(table[Int(value >> 18)])
                        output.append(table[Int((value >> 12) & 63)])
                        output.append(table[Int((value >> 6) & 63)])
                        output.append(table[Int(value & 63)])
                        index += 3
                    }
                    let remaining = lineEnd - index
                    if remaining == 1 {
                        let value = UInt32(input[index]) << 16
                        output += [table[Int(value >> 18)], table[Int((value >> 12) & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
                        index += 1
                    } else if remaining == 2 {
                        let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                        output += [table[Int(value >> 18)], table[Int((value >> 12) & 63)], table[Int((value >> 6) & 63)], UInt8(ascii: "=")]
                        index += 2
                    }
                    output.append(0x0D)
                    output.append(0x0A)
                }
            }
        }
    }
}
