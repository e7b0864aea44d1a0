import DKIM
import Foundation
import MIME
import Testing
import TestSupport

/// RFC 6376 §8.15: From, To, Subject, Date and Message-ID are listed in h= once more than they occur,
/// so a copy of one added in transit breaks the signature instead of riding on it.
@Suite struct OverSigningTests {
    private func message() throws -> [UInt8] {
        try MessageComposer().compose(MailMessage(
            from: Mailbox("no-reply@example.com"), to: [Mailbox("ada@example.org")], subject: "Your code 123456", text: "123456"))
    }

    @Test(arguments: ["From: ceo@example.com", "Subject: Urgent: wire the money", "To: victim@example.org",
                      "Date: Mon, 1 Jan 2024 00:00:00 +0000", "Message-ID: <forged@example.com>"])
    func aHeaderAddedInTransitBreaksTheSignature(_ added: String) async throws {
        let key = try await TestSupport.DKIMKey.make("rsa")
        let signed = try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: key.privatePEM).sign(message())
        #expect(try await key.verify(signed) == "pass")
        // Above the real header: a reader shows the first From/Subject, a verifier hashes bottom-up.
        let tampered = Array((added + "\r\n").utf8) + signed
        #expect(try await key.verify(tampered).hasPrefix("fail"))
    }

    @Test func theSignatureListsEachOverSignedNameOnceMoreThanItOccurs() throws {
        let key = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ7qpS2u8aiT8l4F0mR9x6i6Wf9FfQ4oX1fXWnV3Ybqn
        -----END PRIVATE KEY-----
        """
        let text = String(decoding: try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: key).sign(message()), as: UTF8.self)
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        let list = try #require(unfolded.firstMatch(of: #/h=([a-z:-]+);/#)).1.split(separator: ":").map(String.init)
        for name in ["from", "to", "subject", "date", "message-id"] {
            #expect(list.filter { $0 == name }.count == 2, "\(name) in \(list)")
        }
        #expect(list.filter { $0 == "mime-version" }.count == 1)
    }
}
