import Foundation

/// Base64 for MIME bodies (RFC 2045 §6.8: lines of at most 76 characters).
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Base64 with CRLF line breaks every 76 characters.
    static func encodeLines(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }
}
