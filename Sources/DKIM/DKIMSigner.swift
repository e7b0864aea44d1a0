import CryptoSupport
import Foundation

/// Signs composed messages with DKIM (RFC 6376): rsa-sha256 (RFC 8301: keys of at least 1024
/// bits) or ed25519-sha256 (RFC 8463), relaxed/relaxed canonicalization, through OpenSSL.
///
/// Sign the exact CRLF bytes that go on the wire, after composing and before dot-stuffing.
public struct DKIMSigner: Sendable {
    /// The signing algorithm, from the key type.
    public enum Algorithm: String, Sendable {
        case rsaSHA256 = "rsa-sha256"
        case ed25519SHA256 = "ed25519-sha256"
    }

    /// Headers signed by default when present (nodemailer's list): the ones a recipient sees or
    /// that change how the body is read.
    public static let defaultHeaderFields = [
        "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version", "content-type",
        "content-transfer-encoding", "content-id", "content-description", "resent-date", "resent-from",
        "resent-sender", "resent-to", "resent-cc", "resent-message-id", "in-reply-to", "references", "list-id",
        "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner", "list-archive",
    ]

    /// Headers signed once more than they occur (RFC 6376 §8.15), when signed at all: a copy added
    /// in transit, e.g. a second From or Subject above the real one, then breaks the signature
    /// instead of being shown to the reader as if it were signed.
    public static let overSignedHeaderFields: Set<String> = ["from", "to", "subject", "date", "message-id"]

    /// The signing domain (`d=`), in ASCII.
    public let domain: String
    /// The selector (`s=`): the key is published at `selector._domainkey.domain`.
    public let selector: String
    /// The algorithm (`a=`).
    public let algorithm: Algorithm
    private let headerFields: [String]
    private let key: PrivateKey

    /// Loads the key and checks it.
    /// - Parameters:
    ///   - domain: the signing domain.
    ///   - selector: the DNS selector.
    ///   - privateKeyPEM: an RSA (1024 bits or more) or Ed25519 private key in PEM.
    ///   - headerFields: header names to sign when present; default ``defaultHeaderFields``. "from" is always signed.
    ///   - skipFields: header names never to sign.
    /// - Throws: ``DKIMError`` naming `dkim.privateKey`, `dkim.domainName` or `dkim.keySelector`.
    public init(domain: String, selector: String, privateKeyPEM: String, headerFields: [String]? = nil,
                skipFields: [String] = []) throws {
        // DNS labels of at most 63 octets, names of at most 253 (RFC 1035 §2.3.4): the tags stay short.
        let label = #/[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?/#
        guard !domain.isEmpty, domain.utf8.count <= 253,
              domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ $0.wholeMatch(of: label) != nil }) else {
            throw DKIMError(field: "dkim.domainName", "is not a domain name in ASCII (use punycode, xn--, for international names)")
        }
        guard !selector.isEmpty, selector.utf8.count <= 253,
              selector.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ $0.wholeMatch(of: label) != nil }) else {
            throw DKIMError(field: "dkim.keySelector", "is not a valid selector (letters, digits and hyphens in dot-separated labels)")
        }
        // h= holds field names (RFC 5322 ftext), and ";" would end the tag; each fits on a folded line.
        for (field, names) in [("dkim.headerFieldNames", headerFields ?? []), ("dkim.skipFields", skipFields)] {
            let valid = names.allSatisfy { name in
                (1...76).contains(name.utf8.count) && name.unicodeScalars.allSatisfy { (33...126).contains($0.value) && $0 != ":" && $0 != ";" }
            }
            guard valid else {
                throw DKIMError(field: field, "holds a name that is not a header field name (printable ASCII without \":\" or \";\", at most 76 characters)")
            }
        }
        self.domain = domain.lowercased()
        self.selector = selector
        do {
            key = try PrivateKey(pem: privateKeyPEM)
        } catch let error as CryptoError {
            throw DKIMError(field: "dkim.privateKey", error.message)
        }
        switch key.kind {
        case .rsa(let bits):
            guard bits >= 1024 else {
                throw DKIMError(field: "dkim.privateKey", "the RSA key has \(bits) bits; DKIM needs at least 1024 (RFC 8301), 2048 is advised")
            }
            algorithm = .rsaSHA256
        case .ed25519:
            algorithm = .ed25519SHA256
        case .other:
            throw DKIMError(field: "dkim.privateKey", "the key is neither RSA nor Ed25519")
        }
        let skip = Set(skipFields.map { $0.lowercased() })
        var fields: [String] = []
        for name in (headerFields ?? Self.defaultHeaderFields).map({ $0.lowercased() }) where !skip.contains(name) && !fields.contains(name) {
            fields.append(name)
        }
        if !fields.contains("from") { fields.insert("from", at: 0) }  // RFC 6376 §5.4: From MUST be signed
        self.headerFields = fields
    }

    /// The message with a `DKIM-Signature` header in front.
    /// - Parameters:
    ///   - message: the composed message, CRLF line endings.
    ///   - time: the signature time (`t=`).
    public func sign(_ message: [UInt8], time: Date = Date()) throws -> [UInt8] {
        let (fields, bodyStart) = Self.splitHeader(message)
        let bodyHash = Self.base64(Self.sha256(DKIMCanonicalization.relaxedBody(message[bodyStart...])))
        // Sign each listed field present, the last instance first (RFC 6376 §5.4.2).
        var signed: [(name: String, field: [UInt8])] = []
        var names: [String] = []
        for name in headerFields {
            for field in fields.reversed() where field.name == name {
                signed.append(field)
                names.append(name)
            }
            // One more than present: a verifier finds no instance for it and hashes nothing (§5.4.2).
            if Self.overSignedHeaderFields.contains(name) { names.append(name) }
        }
        let tags = Self.foldTags(
            ["v=1;", "a=\(algorithm.rawValue);", "c=relaxed/relaxed;", "d=\(domain);", "s=\(selector);",
             "t=\(Int(time.timeIntervalSince1970));"],
            headerNames: names, bodyHash: bodyHash)
        var data: [UInt8] = []
        for field in signed { data += DKIMCanonicalization.relaxedHeader(field.field) + [0x0D, 0x0A] }
        data += DKIMCanonicalization.relaxedHeader(Array("DKIM-Signature: \(tags)".utf8))
        let signature = Self.base64(try sign(data))
        var header = "DKIM-Signature: \(tags)"
        var rest = Substring(signature)
        while !rest.isEmpty {
            header += (header.hasSuffix("b=") ? "" : "\r\n ") + rest.prefix(72)
            rest = rest.dropFirst(72)
        }
        return Array((header + "\r\n").utf8) + message
    }

    /// The tag list after `DKIM-Signature: `, folded within 78 columns: tags joined by spaces,
    /// the h= list broken after a colon when needed (FWS is allowed there, RFC 6376 §3.5), and
    /// `b=` last on a line of its own, where the signature is appended.
    static func foldTags(_ tags: [String], headerNames: [String], bodyHash: String) -> String {
        var text = ""
        var lineLength = "DKIM-Signature: ".count
        func add(_ token: String, separator: String) {
            if lineLength + separator.count + token.count > 78 {
                text += "\r\n " + token
                lineLength = 1 + token.count
            } else {
                text += separator + token
                lineLength += separator.count + token.count
            }
        }
        for (index, tag) in tags.enumerated() { add(tag, separator: index == 0 ? "" : " ") }
        for (index, name) in headerNames.enumerated() {
            let piece = (index == 0 ? "h=" : "") + name + (index == headerNames.count - 1 ? ";" : ":")
            add(piece, separator: index == 0 ? " " : "")
        }
        add("bh=\(bodyHash);", separator: " ")
        return text + "\r\n b="
    }

    private func sign(_ data: [UInt8]) throws -> [UInt8] {
        // RSA signs the data with SHA-256; Ed25519 (pure) signs the SHA-256 digest itself (RFC 8463 §3).
        do {
            return try key.sign(algorithm == .rsaSHA256 ? data : Digest.sha256(data))
        } catch let error as CryptoError {
            throw DKIMError(field: "dkim.privateKey", error.message)
        }
    }

    /// Header fields (lower-case name, raw bytes without the final CRLF) and where the body starts.
    static func splitHeader(_ message: [UInt8]) -> ([(name: String, field: [UInt8])], Int) {
        var fields: [(name: String, field: [UInt8])] = []
        var index = 0
        var current: [UInt8] = []
        func finish() {
            guard !current.isEmpty, let colon = current.firstIndex(of: UInt8(ascii: ":")) else { return }
            let name = String(decoding: current[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            fields.append((name, current))
            current = []
        }
        while index < message.count {
            guard let end = (index..<message.count).first(where: { message[$0] == 0x0D && $0 + 1 < message.count && message[$0 + 1] == 0x0A }) else {
                current += message[index...]
                index = message.count
                break
            }
            let line = message[index..<end]
            index = end + 2
            if line.isEmpty { break }  // the blank line before the body
            if let first = line.first, DKIMCanonicalization.isWhitespace(first) {
                current += [0x0D, 0x0A] + line
            } else {
                finish()
                current = Array(line)
            }
        }
        finish()
        return (fields, index)
    }

    static func sha256(_ data: [UInt8]) -> [UInt8] {
        Digest.sha256(data)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
