import ConnectorKit
import Foundation
import SMTP

/// Reading `tls` (and its top-level alias `servername`, read by the caller).
extension SMTPConnectorConfig {
    /// - Parameter fileAccess: false under `disableFileAccess`: `tls.ca` must then be PEM text.
    static func readTLS(_ reader: inout ConfigReader, fileAccess: Bool) -> TLS {
        var tls = TLS()
        tls.verifyCertificate = reader.bool("rejectUnauthorized") ?? true
        // A blank servername means "check host" (nodemailer), never "check no name".
        tls.serverName = reader.optionalString("servername")
        if let version = reader.string("minVersion") {
            if let minimum = SMTPClientConfiguration.MinimumTLSVersion(rawValue: version) {
                tls.minimumVersion = minimum
            } else {
                reader.report("minVersion", "expected \"TLSv1.2\" or \"TLSv1.3\", found \"\(version)\"",
                              hint: "TLS 1.2 is the lowest version this client speaks (RFC 8997).")
            }
        }
        if let value = reader.value("ca") {
            let entries = value.arrayValue ?? [value]
            var pems: [String] = []
            for (index, entry) in entries.enumerated() {
                let key = value.arrayValue == nil ? "ca" : "ca[\(index)]"
                guard let text = entry.stringValue else {
                    reader.report(key, "expected PEM text or a file path, found \(entry.typeDescription)")
                    continue
                }
                if let pem = PEMSource.load(text, key: key, marker: "-----BEGIN CERTIFICATE-----", what: "certificate",
                                            fileAccess: fileAccess, reader: &reader) {
                    pems.append(pem)
                }
            }
            tls.trustedCertificatesPEM = pems.isEmpty ? nil : pems.joined(separator: "\n")
        }
        return tls
    }
}
