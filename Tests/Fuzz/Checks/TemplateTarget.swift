import ConnectorKit
import Foundation

/// The template renderer against any template and any payload value.
///
/// Input: template text, 0xFF, a payload value for the key `v` (raw text), 0xFF, a second template.
///
/// Checked: rendering is one pass (a value that itself looks like `{{v}}` is inserted as text,
/// never rendered again); `{{v}}` alone renders exactly the escaped value; HTML escaping leaves no
/// `<`, `>`, `"` or `'` from a value; header escaping leaves no control character from a value, so a
/// value can never start a header line; and a template with no placeholder is returned as it is.
enum TemplateTarget {
    static func check(_ data: [UInt8]) throws {
        let fields = FuzzBytes.fields(data)
        let template = FuzzBytes.text(fields[0])
        let value = fields.count > 1 ? FuzzBytes.text(fields[1]) : ""
        let second = fields.count > 2 ? FuzzBytes.text(fields[2]) : "{{ v }}"
        let renderer = TemplateRenderer(payload: ["v": .string(value), "nested": ["v": .string(value)]])

        for escaping in [TemplateRenderer.Escaping.none, .html, .headerLine] {
            let alone = renderer.render("{{v}}", escaping: escaping)
            try require(alone == renderer.render("{{ nested.v }}", escaping: escaping), "a nested path renders differently")
            switch escaping {
            case .none:
                try require(alone == value, "{{v}} rendered \(alone.debugDescription), not the value")
            case .html:
                try require(!alone.contains(where: { "<>\"'".contains($0) }), "an HTML value kept markup: \(alone.debugDescription)")
            case .headerLine:
                try require(!alone.unicodeScalars.contains(where: isControl), "a header value kept a control character")
                try require(alone.unicodeScalars.count == value.unicodeScalars.count, "header escaping changed the length")
            }
            for text in [template, second] {
                let rendered = renderer.render(text, escaping: escaping)
                if !text.contains("{{") {
                    try require(rendered == text, "a template without placeholders changed")
                }
                if escaping == .headerLine, !text.unicodeScalars.contains(where: isControl) {
                    try require(!rendered.unicodeScalars.contains(where: isControl), "a header template gained a control character")
                }
                if escaping == .html, !text.contains(where: { "<>\"'".contains($0) }) {
                    try require(!rendered.contains(where: { "<>\"'".contains($0) }), "an HTML template gained markup")
                }
            }
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
