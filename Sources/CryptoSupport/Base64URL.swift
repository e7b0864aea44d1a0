import Foundation

/// base64url without padding (RFC 4648 §5), as JWTs use it (RFC 7515 §2).
public enum Base64URL {
    /// Encodes `bytes`.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
