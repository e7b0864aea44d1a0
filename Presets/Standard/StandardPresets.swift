import AliyunDirectMail
import Catalog
import ConnectorKit
import Gmail
import SendGrid

extension PresetCatalog {
    /// Gmail, SendGrid and Aliyun DirectMail, plus the bundled JSON catalog. A catalog file that
    /// fails to load is left out, so the built-in presets still work.
    /// Read once, on first use.
    public static let standard: PresetCatalog = {
        var catalog = (try? PresetCatalog.bundledJSON()) ?? PresetCatalog()
        for preset in [Preset.gmail, .sendGrid, .aliyunDirectMail] { catalog.add(preset) }
        return catalog
    }()
}
