import ConnectorKit
import Foundation

/// Config values that hold either PEM text or the path of a PEM file (`tls.ca`, `dkim.privateKey`).
enum PEMSource {
    /// Whether `text` looks like a file path: one short line without blanks that has a directory
    /// (`/`) or a key file's extension, and is not a run of base64 or base64url (key material pasted
    /// without its `-----BEGIN` line, which must never be echoed as a "path").
    static func looksLikePath(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 160, !text.contains(where: { $0.isNewline || $0 == " " || $0 == "\t" }) else {
            return false
        }
        let base64 = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=-_".contains($0)) }
        guard !(base64 && text.count >= 40) else { return false }
        let lower = text.lowercased()
        return text.contains("/") || [".pem", ".key", ".crt", ".cer"].contains { lower.hasSuffix($0) }
    }

    /// The PEM text in `text`, or read from the file it names.
    ///
    /// An error shows the value only when it looks like a path; otherwise it names the field alone,
    /// since the value may be a private key with its first line missing.
    /// - Parameters:
    ///   - text: the configured value.
    ///   - key: the member being read, for issues.
    ///   - marker: what proves PEM text, e.g. `-----BEGIN CERTIFICATE-----`.
    ///   - what: what the PEM holds, for messages ("certificate", "private key").
    ///   - fileAccess: false under `disableFileAccess`: a path is refused, inline PEM still works.
    ///   - reader: where issues go.
    static func load(_ text: String, key: String, marker: String, what: String, fileAccess: Bool,
                     reader: inout ConfigReader) -> String? {
        if text.contains(marker) { return text }
        guard looksLikePath(text) else {
            reader.report(key, "is neither PEM text (no \(marker) line) nor a file path",
                          hint: "Paste the whole PEM \(what), from its -----BEGIN line to its -----END line, or give the path of a .pem file.")
            return nil
        }
        guard fileAccess else {
            reader.report(key, "is the file path \(text), and disableFileAccess is set",
                          hint: "Paste the PEM \(what) itself instead of its path (disableFileAccess keeps one tenant's config from reading another's files).")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: text) else {
            reader.report(key, "names the file \(text), which cannot be read",
                          hint: "Check the path and that this process may read it, or paste the PEM \(what) itself.")
            return nil
        }
        let pem = String(decoding: data, as: UTF8.self)
        guard pem.contains(marker) else {
            reader.report(key, "names the file \(text), which holds no PEM \(what) (no \(marker) line)")
            return nil
        }
        return pem
    }
}
