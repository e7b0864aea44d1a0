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
        case .verified(let domain, let selector):
            return MessageCheck(name: "dkim", status: .pass,
                                detail: "signature verifies (d=\(domain), s=\(selector)); publish the public key at \(selector)._domainkey.\(domain)")
        case .bodyHashMismatch(let domain, _):
            return MessageCheck(name: "dkim", status: .fail, detail: "the body changed after signing (bh= does not match, d=\(domain))")
        case .badSignature(let domain, _):
            return MessageCheck(name: "dkim", status: .fail, detail: "the signature does not verify with the configured key (d=\(domain))")
        case .unsupported(let tags):
            return MessageCheck(name: "dkim", status: .skip, detail: "signed with \(tags), which the console does not check")
        }
    }
}
