import CryptoSupport
import DKIM
import DevServer

/// The inbox's DKIM check: whether a signed message verifies with the operator's own key.
enum DKIMCheck {
    /// The check for `data`, verified with `keyPEM` (the key the test send used, else the stored config's).
    static func check(_ data: [UInt8], keyPEM: String?) -> MessageCheck {
        guard let keyPEM, let key = try? PrivateKey(pem: keyPEM) else {
            let signed = DKIMVerifier.isSigned(data)
            return MessageCheck(name: "dkim", status: .skip,
                                detail: signed ? "signed, but the console holds no DKIM key to verify it with" : "not signed (no dkim in the config)")
        }
        switch DKIMVerifier.verify(data, key: key) {
        case .unsigned:
            return MessageCheck(name: "dkim", status: .fail, detail: "not signed, although the config has a DKIM key")
        // The domain and selector stay out of the detail: the config's dkim values are confidential.
        case .verified:
            return MessageCheck(name: "dkim", status: .pass,
                                detail: "the signature verifies with the configured key; publish its public key at selector._domainkey.domain")
        case .bodyHashMismatch:
            return MessageCheck(name: "dkim", status: .fail, detail: "the body changed after signing (bh= does not match)")
        case .badSignature:
            return MessageCheck(name: "dkim", status: .fail, detail: "the signature does not verify with the configured key")
        case .unsupported(let tags):
            return MessageCheck(name: "dkim", status: .skip, detail: "signed with \(tags), which the console does not check")
        }
    }
}
