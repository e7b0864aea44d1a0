import COpenSSL

/// A private key read from PEM (PKCS#8 or the traditional RSA form, unencrypted): the one place
/// where keys are loaded, for DKIM and JWT signatures and for the TLS servers' identities.
///
/// `@unchecked Sendable`: it wraps an immutable OpenSSL `EVP_PKEY`, which OpenSSL allows to be used
/// for signing from several threads at once.
public final class PrivateKey: @unchecked Sendable {
    /// The key's algorithm.
    public enum Kind: Sendable, Equatable {
        /// RSA with its modulus size in bits.
        case rsa(bits: Int)
        /// Ed25519 (RFC 8032).
        case ed25519
        /// Any other algorithm (EC, DSA, ...), which nothing here signs with.
        case other
    }

    /// The OpenSSL key, for NetworkIO's TLS context (which takes its own reference).
    package let pointer: OpaquePointer
    /// The key's algorithm.
    public let kind: Kind

    /// Reads a PEM private key.
    /// - Parameter pem: the PEM text, `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`.
    /// - Throws: ``CryptoError`` when the text holds no readable, unencrypted private key.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        pointer = try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw CryptoError("out of memory") }
            defer { BIO_free(bio) }
            // A nil password callback with an encrypted key fails instead of prompting on a terminal.
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                ERR_clear_error()
                throw CryptoError("is not a readable PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----, without a passphrase)")
            }
            return key
        }
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA: kind = .rsa(bits: Int(EVP_PKEY_get_bits(pointer)))
        case EVP_PKEY_ED25519: kind = .ed25519
        default: kind = .other
        }
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Signs `data`: RSA PKCS#1 v1.5 over its SHA-256 digest (RS256, rsa-sha256), or pure Ed25519 over
    /// `data` itself (which DKIM's ed25519-sha256 makes a SHA-256 digest first, RFC 8463 §3).
    /// - Throws: ``CryptoError`` for a key that is neither RSA nor Ed25519, or when OpenSSL fails.
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        let digest: OpaquePointer?
        switch kind {
        case .rsa: digest = EVP_sha256()
        case .ed25519: digest = nil
        case .other: throw CryptoError("the key is neither RSA nor Ed25519")
        }
        guard let context = EVP_MD_CTX_new() else { throw CryptoError("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit(context, nil, digest, nil, pointer) == 1,
              EVP_DigestSign(context, nil, &length, data, data.count) == 1 else {
            ERR_clear_error()
            throw CryptoError("OpenSSL could not sign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, data, data.count) == 1 else {
            ERR_clear_error()
            throw CryptoError("OpenSSL could not sign")
        }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is this key's signature of `data`, made as ``sign(_:)`` makes one (the
    /// public half of the key does the check).
    public func verify(_ signature: [UInt8], of data: [UInt8]) -> Bool {
        let digest: OpaquePointer?
        switch kind {
        case .rsa: digest = EVP_sha256()
        case .ed25519: digest = nil
        case .other: return false
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        defer { ERR_clear_error() }
        return EVP_DigestVerifyInit(context, nil, digest, nil, pointer) == 1
            && EVP_DigestVerify(context, signature, signature.count, data, data.count) == 1
    }
}
