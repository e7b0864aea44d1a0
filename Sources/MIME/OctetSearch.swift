extension StringProtocol {
    /// Whether `needle` occurs in the text, compared octet by octet: the cheap check header code
    /// needs, without Foundation's locale-aware search.
    func containsOctets(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let text = utf8
        var index = text.startIndex
        while let start = text[index...].firstIndex(of: first) {
            if text[start...].starts(with: pattern) { return true }
            index = text.index(after: start)
        }
        return false
    }
}
