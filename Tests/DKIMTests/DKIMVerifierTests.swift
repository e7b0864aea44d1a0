import CryptoSupport
import DKIM
import Foundation
import MIME
import Testing
import TestSupport

/// The console's DKIM check: a message verifies with the key that signed it, and any change to a
/// signed header or the body, or another key, is caught.
@Suite struct DKIMVerifierTests {
    private func message() throws -> [UInt8] {
        try MessageComposer().compose(MailMessage(
            from: Mailbox("no-reply@example.com"), to: [Mailbox("ada@example.org")],
            subject: "Your code 123456", text: "Your code is 123456.\n", html: "<p>Code <b>123456</b></p>"))
    }

    @Test(arguments: ["rsa", "ed25519"])
    func aSignedMessageVerifiesAndTamperingIsCaught(algorithm: String) async throws {
        let key = try await TestSupport.DKIMKey.make(algorithm)
        let signed = try DKIMSigner(domain: "example.com", selector: "s1", privateKeyPEM: key.privatePEM).sign(message())
        let privateKey = try PrivateKey(pem: key.privatePEM)
        #expect(DKIMVerifier.isSigned(signed))
        #expect(DKIMVerifier.verify(signed, key: privateKey) == .verified(domain: "example.com", selector: "s1"))
        // python3-dkim agrees on the untouched message, so the verifier is not merely self-consistent.
        #expect(try await key.verify(signed) == "pass")

        let text = String(decoding: signed, as: UTF8.self)
        let changedSubject = Array(text.replacingOccurrences(of: "Subject: Your code 123456", with: "Subject: Your code 999999").utf8)
        #expect(DKIMVerifier.verify(changedSubject, key: privateKey) == .badSignature(domain: "example.com", selector: "s1"))
        let changedBody = Array(text.replacingOccurrences(of: "Your code is 123456.", with: "Your code is 999999.").utf8)
        #expect(DKIMVerifier.verify(changedBody, key: privateKey) == .bodyHashMismatch(domain: "example.com", selector: "s1"))
        let otherKey = try PrivateKey(pem: try await TestSupport.DKIMKey.make(algorithm).privatePEM)
        #expect(DKIMVerifier.verify(signed, key: otherKey) == .badSignature(domain: "example.com", selector: "s1"))
    }

    @Test func anUnsignedMessageIsReportedAsSuch() async throws {
        let key = try PrivateKey(pem: try await TestSupport.DKIMKey.make("ed25519").privatePEM)
        let unsigned = try message()
        #expect(!DKIMVerifier.isSigned(unsigned))
        #expect(DKIMVerifier.verify(unsigned, key: key) == .unsigned)
    }
}
