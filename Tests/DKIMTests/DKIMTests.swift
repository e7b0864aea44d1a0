import DKIM
import Foundation
import MIME
import Testing
import TestSupport

@Suite struct DKIMCanonicalizationTests {
    @Test func relaxedHeaderFollowsRFC6376Example() {
        // RFC 6376 §3.4.5: "A: X" and "B : Y\t\r\n\tZ  " canonicalize to "a:X" and "b:Y Z".
        #expect(DKIMCanonicalization.relaxedHeader(Array("A: X".utf8)) == Array("a:X".utf8))
        #expect(DKIMCanonicalization.relaxedHeader(Array("B : Y\t\r\n\tZ  ".utf8)) == Array("b:Y Z".utf8))
    }

    @Test func relaxedBodyFollowsRFC6376Example() {
        // RFC 6376 §3.4.5: " C \r\nD \t E\r\n\r\n\r\n" canonicalizes to " C\r\nD E\r\n".
        let body = Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)
        #expect(DKIMCanonicalization.relaxedBody(body[...]) == Array(" C\r\nD E\r\n".utf8))
        #expect(DKIMCanonicalization.relaxedBody([][...]) == [])
        #expect(DKIMCanonicalization.relaxedBody(Array("no newline".utf8)[...]) == Array("no newline\r\n".utf8))
    }
}

@Suite struct DKIMSigningTests {
    private func message() throws -> [UInt8] {
        try MessageComposer().compose(MailMessage(
            from: Mailbox("no-reply@example.com", displayName: "Acme Café"), to: [Mailbox("ada@example.org")],
            subject: "Grüße — your code 123456", text: "Your code is 123456.\n\n-- \nAcme   \n", html: "<p>Code <b>123456</b></p>",
            attachments: [Attachment(filename: "報告.pdf", data: Data(repeating: 7, count: 5000))],
            headers: [("List-Unsubscribe", "<mailto:unsubscribe@example.com>")]))
    }

    @Test(arguments: ["rsa", "ed25519"])
    func signaturesVerifyWithPythonDKIM(algorithm: String) async throws {
        let key = try await TestSupport.DKIMKey.make(algorithm)
        let signer = try DKIMSigner(domain: "example.com", selector: "mail2026", privateKeyPEM: key.privatePEM)
        #expect(signer.algorithm.rawValue == (algorithm == "rsa" ? "rsa-sha256" : "ed25519-sha256"))
        let signed = try signer.sign(message())
        let text = String(decoding: signed, as: UTF8.self)
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: " ")
        #expect(unfolded.hasPrefix("DKIM-Signature: v=1; a=\(signer.algorithm.rawValue); c=relaxed/relaxed; d=example.com; s=mail2026;"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(try await key.verify(signed) == "pass")
    }

    @Test func aChangedBodyOrHeaderFailsVerification() async throws {
        let key = try await TestSupport.DKIMKey.make("rsa")
        let signed = try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: key.privatePEM).sign(message())
        var body = signed
        body[body.count - 10] ^= 1
        #expect(try await key.verify(body).hasPrefix("fail"))
        let text = String(decoding: signed, as: UTF8.self).replacingOccurrences(of: "To: ada@example.org", with: "To: eve@example.org")
        #expect(try await key.verify(Array(text.utf8)).hasPrefix("fail"))
    }

    @Test func headerListSkipsAndAlwaysSignsFrom() throws {
        let key = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ7qpS2u8aiT8l4F0mR9x6i6Wf9FfQ4oX1fXWnV3Ybqn
        -----END PRIVATE KEY-----
        """
        let signer = try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: key,
                                    headerFields: ["subject", "to"], skipFields: ["to"])
        let text = String(decoding: try signer.sign(message()), as: UTF8.self)
        // From and Subject are over-signed: listed once more than they occur (RFC 6376 §8.15).
        #expect(text.contains("h=from:from:subject:subject;"))
        #expect(!text.contains(":to"))
    }

    @Test func unusableKeysAndNamesAreRefusedWithTheField() async throws {
        #expect(throws: DKIMError(field: "dkim.privateKey", "is not a readable PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----, without a passphrase)")) {
            try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: "not a key")
        }
        let small = String(decoding: try await TestSupport.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512"]), as: UTF8.self)
        #expect { try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: small) } throws: {
            ($0 as? DKIMError)?.message.contains("at least 1024") == true
        }
        let ec = String(decoding: try await TestSupport.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]), as: UTF8.self)
        #expect { try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: ec) } throws: {
            ($0 as? DKIMError)?.message.contains("neither RSA nor Ed25519") == true
        }
        let ed = try await TestSupport.DKIMKey.make("ed25519").privatePEM
        #expect { try DKIMSigner(domain: "bücher.example", selector: "s", privateKeyPEM: ed) } throws: { ($0 as? DKIMError)?.field == "dkim.domainName" }
        #expect { try DKIMSigner(domain: "example.com", selector: "a b", privateKeyPEM: ed) } throws: { ($0 as? DKIMError)?.field == "dkim.keySelector" }
        // Tags that would make a DKIM-Signature line too long, or break its tag list, are refused.
        #expect { try DKIMSigner(domain: String(repeating: "a", count: 64) + ".com", selector: "s", privateKeyPEM: ed) } throws: { ($0 as? DKIMError)?.field == "dkim.domainName" }
        #expect { try DKIMSigner(domain: "example.com", selector: String(repeating: "s", count: 900), privateKeyPEM: ed) } throws: { ($0 as? DKIMError)?.field == "dkim.keySelector" }
        #expect { try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: ed, headerFields: ["from", "x;y"]) } throws: { ($0 as? DKIMError)?.field == "dkim.headerFieldNames" }
        #expect { try DKIMSigner(domain: "example.com", selector: "s", privateKeyPEM: ed, skipFields: [String(repeating: "x", count: 77)]) } throws: { ($0 as? DKIMError)?.field == "dkim.skipFields" }
    }
}
