import CryptoSupport
import Foundation

/// Alibaba Cloud's RPC request signature, version 1.0 with HMAC-SHA1
/// (https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism):
///
/// 1. Sort the parameters by name (the signature itself excluded) and join `name=value` pairs with
///    `&`, names and values percent-encoded by ``percentEncode(_:)``.
/// 2. StringToSign = `METHOD&%2F&` + the percent-encoding of that query.
/// 3. Signature = Base64(HMAC-SHA1(key: AccessKeySecret + "&", StringToSign)).
enum AliyunSignature {
    /// The signature of `parameters` sent with `method` (`GET` or `POST`).
    static func sign(_ parameters: [String: String], method: String, secret: String) -> String {
        Data(Digest.hmacSHA1(key: Array((secret + "&").utf8), message: Array(stringToSign(parameters, method: method).utf8)))
            .base64EncodedString()
    }

    /// `METHOD&%2F&` + the percent-encoded canonical query.
    static func stringToSign(_ parameters: [String: String], method: String) -> String {
        "\(method)&\(percentEncode("/"))&\(percentEncode(canonicalQuery(parameters)))"
    }

    /// The parameters sorted by name (byte order), each pair percent-encoded, joined by `&`.
    static func canonicalQuery(_ parameters: [String: String]) -> String {
        parameters.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\(percentEncode($0.key))=\(percentEncode($0.value))" }
            .joined(separator: "&")
    }

    /// Alibaba's percent-encoding: the UTF-8 bytes of `A-Z a-z 0-9 - _ . ~` as they are, every other
    /// byte as `%XX` in upper case (so a space is `%20`, never `+`, and `*` is `%2A`).
    static func percentEncode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
