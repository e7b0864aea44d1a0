import ConnectorKit
import DKIM
import Foundation
import MIME

/// Reading `dkim`. Every value under it is confidential, so no message here quotes one.
extension SMTPConnectorConfig {
    /// `dkim {domainName, keySelector, privateKey, headerFieldNames?, skipFields?}` (nodemailer's
    /// names). The key is loaded and checked here, so a bad key is a config error, not unsigned mail.
    /// - Parameters:
    ///   - fileAccess: false under `disableFileAccess`: the key must then be PEM text.
    ///   - customHeaderNames: the `customHeaders` names, which `headerFieldNames` may list.
    static func readDKIM(_ reader: inout ConfigReader, fileAccess: Bool, customHeaderNames: [String]) -> DKIM? {
        let domain = reader.string("domainName", required: true, hint: "The domain whose DNS publishes the key, e.g. acme.com.")
        let selector = reader.string("keySelector", required: true, hint: "The selector: the key is at SELECTOR._domainkey.DOMAIN.")
        let keyText = reader.string("privateKey", required: true, hint: "An RSA (2048-bit advised) or Ed25519 private key, PEM text or a file path.")
        let headerFields = reader.string("headerFieldNames").map(Self.headerNames)
        let skip = reader.string("skipFields").map(Self.headerNames) ?? []
        if let headerFields { checkSignedNames(headerFields, key: "headerFieldNames", customHeaderNames: customHeaderNames, reader: &reader) }
        checkSignedNames(skip, key: "skipFields", customHeaderNames: customHeaderNames, reader: &reader)
        if skip.contains(where: { $0.lowercased() == "from" }) {
            reader.report("skipFields", "lists From, which is always signed (RFC 6376 §5.4)", hint: "Remove From from skipFields.")
        }
        if let hash = reader.string("hashAlgo"), hash.lowercased() != "sha256" {
            reader.report("hashAlgo", "only sha256 is allowed (RFC 8301)")
        }
        _ = reader.string("cacheDir")
        _ = reader.number("cacheTreshold")
        guard let domain, let selector, let keyText,
              let pem = PEMSource.load(keyText, key: "privateKey", marker: "-----BEGIN", what: "private key",
                                       fileAccess: fileAccess, reader: &reader) else { return nil }
        let asciiDomain = Punycode.asciiDomain(domain) ?? domain
        do {
            _ = try DKIMSigner(domain: asciiDomain, selector: selector, privateKeyPEM: pem,
                               headerFields: headerFields, skipFields: skip)
        } catch let error as DKIMError {
            let key = String(error.field.dropFirst("dkim.".count))
            reader.report(key.isEmpty ? nil : key, error.message)
            return nil
        } catch {
            reader.report("privateKey", "cannot be used to sign")
            return nil
        }
        return DKIM(domain: asciiDomain, selector: selector, privateKeyPEM: pem, headerFields: headerFields, skipFields: skip)
    }

    /// nodemailer's colon-separated list, `"From:To:Subject"`.
    private static func headerNames(_ text: String) -> [String] {
        text.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every name must be one these messages can carry: a misspelt name (`Form`) would otherwise
    /// leave the header it meant unsigned without a word.
    private static func checkSignedNames(_ names: [String], key: String, customHeaderNames: [String], reader: inout ConfigReader) {
        let known = MessageComposer.composedHeaderNames.union(DKIMSigner.defaultHeaderFields)
            .union(customHeaderNames.map { $0.lowercased() })
        for (index, name) in names.enumerated() where !known.contains(name.lowercased()) {
            let suggestion = closest(to: name.lowercased(), in: known).map { " Did you mean \(displayName($0))?" } ?? ""
            reader.report(key, "entry \(index + 1) of \(names.count) is not a header these messages carry.\(suggestion)",
                          hint: "List headers the connector writes (From, To, Cc, Reply-To, Subject, Date, Message-ID, MIME-Version, Content-Type) or names from customHeaders, separated by colons.")
        }
    }

    /// The known name at most two edits away, if exactly one is nearest.
    private static func closest(to name: String, in known: Set<String>) -> String? {
        let scored = known.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }
        guard let best = scored.map(\.1).min() else { return nil }
        let nearest = scored.filter { $0.1 == best }.map(\.0).sorted()
        return nearest.count == 1 ? nearest[0] : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// `message-id` as `Message-ID`, `from` as `From`.
    private static func displayName(_ lowercased: String) -> String {
        lowercased.split(separator: "-").map { $0 == "id" || $0 == "mime" ? $0.uppercased() : $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: "-")
    }
}
