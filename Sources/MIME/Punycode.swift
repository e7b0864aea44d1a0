import Foundation

/// Punycode (RFC 3492) and the IDNA conversion of domain names to their ASCII form (`xn--`),
/// implemented here because Foundation on Linux has none.
public enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialBias = 72, initialN = 128

    /// The most code points a label may have: its encoding holds at least one character per code
    /// point, and a DNS label is at most 63 octets (RFC 1035 §2.3.4).
    public static let maxLabelCodePoints = 63

    /// What separates the labels of a domain: the full stop, and the ideographic, full-width and
    /// half-width ideographic full stops that IDNA reads as one (RFC 3490 §3.1).
    public static let labelSeparators: Set<Unicode.Scalar> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]

    /// Encodes one label's code points (RFC 3492 §6.3).
    /// - Returns: nil on overflow, or for a label of more than ``maxLabelCodePoints`` code points:
    ///   it could never be a DNS label, and the encoder's cost grows with the square of the length.
    public static func encode(_ label: String) -> String? {
        guard label.unicodeScalars.count <= maxLabelCodePoints else { return nil }
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = input.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN, delta = 0, bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (product, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += product
            n = m
            for codePoint in input {
                if codePoint < n { delta += 1 }
                if codePoint == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    /// The ASCII form of a domain: each non-ASCII label becomes `xn--` + Punycode, after NFC
    /// normalization and lower-casing (the mapping step of IDNA 2008's UTS #46 for common text).
    /// - Returns: nil when a label cannot be encoded or is longer than 63 octets, or the domain has
    ///   more than 255 code points (checked first, before any conversion).
    public static func asciiDomain(_ domain: String) -> String? {
        guard domain.unicodeScalars.count <= 255 else { return nil }  // punycode is never shorter
        // Nearly every domain is ASCII already: normalization leaves it as it is and no label needs
        // encoding, so only the case and the label lengths matter (this runs for every address of
        // every message; the general path below cost an eighth of a composed send's CPU).
        if domain.utf8.allSatisfy({ $0 < 0x80 }) {
            let lowered = domain.lowercased()
            var labelLength = 0
            for byte in lowered.utf8 {
                labelLength = byte == UInt8(ascii: ".") ? 0 : labelLength + 1
                if labelLength > 63 { return nil }
            }
            return lowered
        }
        // Labels are split on code points, not Characters: "." followed by a combining mark is one
        // Character, and splitting on Characters would carry its dot into a label (and the encoded
        // domain would gain a label). The ideographic and full-width stops separate labels too
        // (RFC 3490 §3.1, UTS #46 §4).
        let labels = domain.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars
            .split(omittingEmptySubsequences: false) { labelSeparators.contains($0) }
            .map { label -> String? in
                let text = String(String.UnicodeScalarView(label))
                if label.allSatisfy(\.isASCII) { return text }
                return encode(text).map { "xn--" + $0 }
            }
        guard labels.allSatisfy({ $0 != nil && $0!.utf8.count <= 63 }) else { return nil }
        return labels.compactMap { $0 }.joined(separator: ".")
    }

    private static func digit(_ value: Int) -> Character {
        Character(Unicode.Scalar(UInt8(value < 26 ? value + 97 : value + 22)))
    }

    private static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
