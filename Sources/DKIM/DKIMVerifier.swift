import CryptoSupport
import Foundation

/// Checks a message's DKIM-Signature (RFC 6376 §6.1) against a key the caller holds, for the
/// console's inbox: the operator's own signing key stands in for the DNS record, so the check
/// says whether what arrived is what the connector signed, before DNS is even set up.
///
/// Only what ``DKIMSigner`` writes is checked in full: relaxed/relaxed, rsa-sha256 or
/// ed25519-sha256. Other signatures are reported, not judged.
public enum DKIMVerifier {
    /// What the check found.
    public enum Result: Sendable, Equatable {
        /// The message has no DKIM-Signature.
        case unsigned
        /// The body hash and the signature both verify.
        case verified(domain: String, selector: String)
        /// The body changed after signing (bh= does not match).
        case bodyHashMismatch(domain: String, selector: String)
        /// The body matches but the signature does not verify with the key (header changed, or another key).
        case badSignature(domain: String, selector: String)
        /// A signature this verifier does not check (its tags are named).
        case unsupported(String)
    }

    /// Checks the first DKIM-Signature of `message`.
    /// - Parameters:
    ///   - message: the message as received, CRLF line endings.
    ///   - key: the signing key (its public half verifies).
    public static func verify(_ message: [UInt8], key: PrivateKey) -> Result {
        let (fields, bodyStart) = DKIMSigner.splitHeader(message)
        guard let signatureIndex = fields.firstIndex(where: { $0.name == "dkim-signature" }) else { return .unsigned }
        let signatureField = fields[signatureIndex].field
        let tags = Self.tags(signatureField)
        let domain = tags["d"] ?? "", selector = tags["s"] ?? ""
        // l= (a signed prefix of the body) and an h= without From (RFC 6376 §5.4) are not what the signer writes.
        guard tags["c"] == "relaxed/relaxed", let algorithm = tags["a"], ["rsa-sha256", "ed25519-sha256"].contains(algorithm),
              let bodyHash = tags["bh"], let signatureText = tags["b"], let names = tags["h"], tags["l"] == nil,
              names.lowercased().split(separator: ":").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "from" }) else {
            return .unsupported("a=\(tags["a"] ?? "?") c=\(tags["c"] ?? "simple/simple")\(tags["l"] == nil ? "" : " l=")")
        }
        let body = DKIMCanonicalization.relaxedBody(message[min(bodyStart, message.count)...])
        guard DKIMSigner.base64(Digest.sha256(body)) == bodyHash else { return .bodyHashMismatch(domain: domain, selector: selector) }
        // Each name takes the last instance not yet used, bottom up (RFC 6376 §5.4.2).
        var unused = fields.enumerated().filter { $0.offset != signatureIndex }.map(\.element)
        var data: [UInt8] = []
        for name in names.split(separator: ":").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let index = unused.lastIndex(where: { $0.name == name }) else { continue }
            data += DKIMCanonicalization.relaxedHeader(unused[index].field) + [0x0D, 0x0A]
            unused.remove(at: index)
        }
        data += DKIMCanonicalization.relaxedHeader(Self.emptyingSignature(signatureField))
        guard let signature = Data(base64Encoded: signatureText) else { return .badSignature(domain: domain, selector: selector) }
        let signed = algorithm == "rsa-sha256" ? data : Digest.sha256(data)
        return key.verify(Array(signature), of: signed) ? .verified(domain: domain, selector: selector)
            : .badSignature(domain: domain, selector: selector)
    }

    /// Whether `message` has a DKIM-Signature header field.
    public static func isSigned(_ message: [UInt8]) -> Bool {
        DKIMSigner.splitHeader(message).0.contains { $0.name == "dkim-signature" }
    }

    /// The tag=value pairs of a DKIM-Signature field, whitespace removed from values.
    static func tags(_ field: [UInt8]) -> [String: String] {
        let text = String(decoding: field, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return [:] }
        var tags: [String: String] = [:]
        for pair in text[text.index(after: colon)...].split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespacesAndNewlines)
            tags[name] = String(pair[pair.index(after: equals)...].filter { !$0.isWhitespace })
        }
        return tags
    }

    /// The field with the value of its b= tag removed (RFC 6376 §3.7), everything else as it was.
    static func emptyingSignature(_ field: [UInt8]) -> [UInt8] {
        let text = String(decoding: field, as: UTF8.self)
        // The tag list starts after the field name's colon; b= may be its first tag.
        guard let match = text.firstMatch(of: #/([:;])(\s*b\s*=)[^;]*/#) else { return field }
        return Array(text.replacingCharacters(in: match.range, with: match.output.1 + match.output.2).utf8)
    }
}
