import Foundation

extension TestSupport {
    /// A DKIM key made with the openssl command line, and the DNS record that publishes it.
    public struct DKIMKey: Sendable {
        public let privatePEM: String
        public let record: String

        /// `algorithm` is "rsa" (2048 bits) or "ed25519".
        public static func make(_ algorithm: String) async throws -> DKIMKey {
            let arguments = algorithm == "rsa"
                ? ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
                : ["openssl", "genpkey", "-algorithm", "ED25519"]
            let pem = try await run(arguments)
            let der = try await run(["openssl", "pkey", "-pubout", "-outform", "DER"], input: pem)
            // RSA publishes the SubjectPublicKeyInfo; Ed25519 the raw 32-byte key (RFC 8463 §4).
            let publicKey = algorithm == "rsa" ? Data(der) : Data(der.suffix(32))
            return DKIMKey(privatePEM: String(decoding: pem, as: UTF8.self),
                           record: "v=DKIM1; k=\(algorithm == "rsa" ? "rsa" : "ed25519"); p=\(publicKey.base64EncodedString())")
        }

        /// python3-dkim's verdict on `message` with this key's record: "pass" or "fail: …".
        public func verify(_ message: [UInt8]) async throws -> String {
            let result = try await runProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                [python, repositoryRoot.appendingPathComponent("scripts/verify-dkim.py").path, record], input: message)
            return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) + result.stderrText
        }
    }
}
