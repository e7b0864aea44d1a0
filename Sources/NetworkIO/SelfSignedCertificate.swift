import COpenSSL
import Foundation

/// A throwaway certificate and key, made with OpenSSL at start-up, so the DevServer can offer TLS
/// (the DevServer's, a test's) without any files. Clients trust it by taking ``certificatePEM`` as their CA (`tls.ca`).
public struct SelfSignedCertificate: Sendable {
    /// The certificate, PEM. Valid for the names it was made for, for 7 days unless told otherwise.
    public let certificatePEM: String
    /// The private key (EC P-256), PEM.
    public let privateKeyPEM: String

    /// Makes a certificate for `dnsNames` and `ipAddresses` (subject alternative names).
    /// - Parameters:
    ///   - commonName: the subject's CN.
    ///   - dnsNames: DNS names it is valid for.
    ///   - ipAddresses: IP addresses it is valid for.
    ///   - validFrom: when validity starts, in seconds from now (default an hour ago).
    ///   - validUntil: when it ends, in seconds from now (default 7 days; negative for a certificate
    ///     that has already expired, as tests of expiry need).
    /// - Throws: ``NetworkError`` of kind `tls` when OpenSSL fails.
    public init(commonName: String = "localhost", dnsNames: [String] = ["localhost"],
                ipAddresses: [String] = ["127.0.0.1", "::1"], validFrom: Int = -3600, validUntil: Int = 7 * 24 * 3600) throws {
        guard let keyContext = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw Self.failure("key context") }
        defer { EVP_PKEY_CTX_free(keyContext) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(keyContext) == 1,
              c_evp_pkey_ctx_set_ec_curve(keyContext, NID_X9_62_prime256v1) == 1,
              EVP_PKEY_keygen(keyContext, &key) == 1, let key else { throw Self.failure("key generation") }
        defer { EVP_PKEY_free(key) }

        guard let certificate = X509_new() else { throw Self.failure("X509_new") }
        defer { X509_free(certificate) }
        X509_set_version(certificate, 2)
        var serial = [UInt8](repeating: 0, count: 16)
        RAND_bytes(&serial, 16)
        serial[0] &= 0x7F
        let serialNumber = BN_bin2bn(serial, 16, nil)
        BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(certificate))
        BN_free(serialNumber)
        X509_gmtime_adj(X509_getm_notBefore(certificate), validFrom)
        X509_gmtime_adj(X509_getm_notAfter(certificate), validUntil)
        X509_set_pubkey(certificate, key)
        let name = X509_get_subject_name(certificate)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "SMTP connector DevServer", -1, -1, 0)
        X509_set_issuer_name(certificate, name)

        let alternativeNames = (dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }).joined(separator: ",")
        for (nid, value) in [(NID_subject_alt_name, alternativeNames), (NID_basic_constraints, "critical,CA:TRUE"),
                             (NID_key_usage, "critical,digitalSignature,keyCertSign")] where !value.isEmpty {
            var context = X509V3_CTX()
            X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
            guard let extensionPointer = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw Self.failure("extension \(value)") }
            X509_add_ext(certificate, extensionPointer, -1)
            X509_EXTENSION_free(extensionPointer)
        }
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw Self.failure("signing") }

        certificatePEM = try Self.pem { PEM_write_bio_X509($0, certificate) }
        privateKeyPEM = try Self.pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure("PEM output") }
        var data: UnsafeMutablePointer<CChar>?
        let length = c_bio_get_mem_data(bio, &data)
        guard let data, length > 0 else { throw failure("PEM output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    private static func failure(_ step: String) -> NetworkError {
        ERR_clear_error()
        return NetworkError(.tls, "cannot make a self-signed certificate (\(step) failed)")
    }
}
