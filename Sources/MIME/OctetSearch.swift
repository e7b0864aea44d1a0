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

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the bytes: a scan for its first octet, then a comparison.
    func containsOctets(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard count >= needle.count else { return false }
        return withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { pattern in
                var index = 0
                let last = haystack.count - pattern.count
                while index <= last {
                    if haystack[index] == first,
                       (1..<pattern.count).allSatisfy({ haystack[index + $0] == pattern[$0] }) { return true }
                    index += 1
                }
                return false
            }
        }
    }
}
