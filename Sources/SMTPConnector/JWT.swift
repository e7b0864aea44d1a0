import COpenSSL
import ConnectorKit
import Foundation

/// JSON Web Tokens signed RS256 (RFC 7515 / 7518), for service-account OAuth2 grants.
enum JWT {
    /// `header.claims.signature`, base64url without padding.
    static func signRS256(claims: ConfigValue, privateKeyPEM: String) throws -> String {
        let header: ConfigValue = ["alg": "RS256", "typ": "JWT"]
        let input = base64URL(Data(try header.jsonText().utf8)) + "." + base64URL(Data(try claims.jsonText().utf8))
        let signature = try sign(Array(input.utf8), privateKeyPEM: privateKeyPEM)
        return input + "." + base64URL(Data(signature))
    }

    /// Checks that `pem` is an RSA private key, for config validation.
    static func validateKey(_ pem: String) -> String? {
        do {
            _ = try sign([0], privateKeyPEM: pem)
            return nil
        } catch let error as OAuth2TokenSource.TokenError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    private static func sign(_ data: [UInt8], privateKeyPEM: String) throws -> [UInt8] {
        let bytes = Array(privateKeyPEM.utf8)
        let key: OpaquePointer = try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw OAuth2TokenSource.TokenError(description: "out of memory")
            }
            defer { BIO_free(bio) }
            guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                ERR_clear_error()
                throw OAuth2TokenSource.TokenError(description: "the service account's private key is not a readable PEM key")
            }
            return key
        }
        defer { EVP_PKEY_free(key) }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            throw OAuth2TokenSource.TokenError(description: "the service account's private key is not an RSA key (RS256 needs one)")
        }
        guard let context = EVP_MD_CTX_new() else { throw OAuth2TokenSource.TokenError(description: "out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
              EVP_DigestSign(context, nil, &length, data, data.count) == 1 else {
            throw OAuth2TokenSource.TokenError(description: "OpenSSL could not sign the JWT")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, data, data.count) == 1 else {
            throw OAuth2TokenSource.TokenError(description: "OpenSSL could not sign the JWT")
        }
        return Array(signature.prefix(length))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
