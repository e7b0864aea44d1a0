import ConnectorKit
import Foundation

extension PresetCatalog {
    /// The JSON presets shipped in Presets/Catalog/presets (Microsoft 365, Amazon SES, Mailgun,
    /// Postmark, Resend, Brevo), loaded from this module's resources at run time.
    /// - Throws: ``ConnectorError`` when a shipped file does not decode (a packaging bug).
    public static func bundledJSON() throws -> PresetCatalog {
        var catalog = PresetCatalog()
        guard let directory = Bundle.module.url(forResource: "presets", withExtension: nil) else {
            throw ConnectorError(.general, "the bundled preset catalog is missing from this build")
        }
        try catalog.load(directory: directory)
        return catalog
    }
}
