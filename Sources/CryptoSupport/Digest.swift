import COpenSSL

/// Hashes and message authentication codes through OpenSSL.
public enum Digest {
    /// SHA-256 (FIPS 180-4).
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        EVP_Digest(data, data.count, &digest, &length, EVP_sha256(), nil)
        return digest
    }

    /// HMAC-MD5 (RFC 2104), as CRAM-MD5 requires (RFC 2195). MD5 is weak as a hash; CRAM-MD5 is
    /// still offered by servers and is used only inside TLS here.
    public static func hmacMD5(key: [UInt8], message: [UInt8]) -> [UInt8] {
        hmac(EVP_md5(), key: key, message: message)
    }

    /// HMAC-SHA1 (RFC 2104), as Alibaba Cloud's RPC request signature (version 1.0) requires.
    public static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        hmac(EVP_sha1(), key: key, message: message)
    }

    private static func hmac(_ digest: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                HMAC(digest, keyBytes.baseAddress, Int32(key.count),
                     messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count, &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }
}
