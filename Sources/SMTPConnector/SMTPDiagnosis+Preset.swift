import ConnectorKit
import SMTP

extension SMTPDiagnosis.Step {
    /// The preset's hint for the reply quoted in this step's detail, e.g. "535 5.7.8 ...".
    func replyHint(_ preset: Preset) -> String? {
        let pattern = #/([245][0-9][0-9])(?: ([245]\.[0-9]{1,3}\.[0-9]{1,3}))?(.*)/#
        for line in detail.split(separator: ":").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let match = line.wholeMatch(of: pattern), let code = Int(match.1),
               let hint = preset.hint(forReplyCode: code, enhancedCode: match.2.map(String.init), text: String(match.3)) {
                return hint
            }
        }
        return nil
    }
}
