import COpenSSL

/// Keyed hashes from OpenSSL, for SASL mechanisms that need them.
public enum HMAC {
    /// HMAC-MD5 (RFC 2104), as CRAM-MD5 requires (RFC 2195). MD5 is weak as a hash; CRAM-MD5 is
    /// still offered by servers and is used only inside TLS here.
    public static func md5(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                COpenSSL.HMAC(EVP_md5(), keyBytes.baseAddress, Int32(key.count),
                              messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                              &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }
}
