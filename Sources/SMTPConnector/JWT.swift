import ConnectorKit
import CryptoSupport
import Foundation

/// JSON Web Tokens signed RS256 (RFC 7515 / 7518), for service-account OAuth2 grants.
enum JWT {
    /// `header.claims.signature`, base64url without padding.
    static func signRS256(claims: ConfigValue, privateKeyPEM: String) throws -> String {
        let header: ConfigValue = ["alg": "RS256", "typ": "JWT"]
        let input = Base64URL.encode(Data(try header.jsonText().utf8)) + "." + Base64URL.encode(Data(try claims.jsonText().utf8))
        let signature = try rsaKey(privateKeyPEM).sign(Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// Why `pem` cannot sign RS256, for config validation; nil when it can.
    static func validateKey(_ pem: String) -> String? {
        do {
            _ = try rsaKey(pem)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private static func rsaKey(_ pem: String) throws -> PrivateKey {
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: pem)
        } catch {
            throw OAuth2TokenSource.TokenError(description: "the service account's private key is not a readable PEM key")
        }
        guard case .rsa = key.kind else {
            throw OAuth2TokenSource.TokenError(description: "the service account's private key is not an RSA key (RS256 needs one)")
        }
        return key
    }
}
