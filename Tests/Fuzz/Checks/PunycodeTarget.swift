import MIME

/// Punycode (RFC 3492) and the ASCII form of international domains, against any text.
///
/// Checked: an encoded label is ASCII and decodes (with the independent decoder below, RFC 3492
/// §6.2) to exactly the label's code points; a domain's ASCII form is ASCII, keeps its number of
/// labels, and has no label over 63 octets. `FuzzChecksTests` also decodes the corpus with Python's
/// `punycode` codec.
enum PunycodeTarget {
    static func check(_ data: [UInt8]) throws {
        let text = FuzzBytes.text(data)
        if let encoded = Punycode.encode(text) {
            try require(encoded.unicodeScalars.allSatisfy(\.isASCII), "encode(\(text.debugDescription)) is not ASCII")
            let decoded = decode(encoded)
            try require(decoded == text.unicodeScalars.map { Int($0.value) },
                        "encode(\(text.debugDescription)) = \(encoded.debugDescription) decodes to \(String(describing: decoded))")
        }
        if let domain = Punycode.asciiDomain(text) {
            try require(domain.unicodeScalars.allSatisfy(\.isASCII), "asciiDomain(\(text.debugDescription)) is not ASCII")
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            let separators = text.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars
                .filter { Punycode.labelSeparators.contains($0) }.count
            try require(labels.count == separators + 1,
                        "asciiDomain(\(text.debugDescription)) = \(domain) has another number of labels")
            try require(labels.allSatisfy { $0.utf8.count <= 63 }, "asciiDomain(\(text.debugDescription)) has a label over 63 octets")
        }
    }

    /// RFC 3492 §6.2, written apart from the encoder so the two check each other.
    static func decode(_ encoded: String) -> [Int]? {
        let scalars = Array(encoded.unicodeScalars)
        let dash = scalars.lastIndex(of: "-")
        var output = dash.map { scalars[..<$0].map { Int($0.value) } } ?? []
        var position = dash.map { $0 + 1 } ?? 0
        var n = 128, i = 0, bias = 72
        while position < scalars.count {
            let oldI = i
            var weight = 1, k = 36
            while true {
                guard position < scalars.count, let digit = digitValue(scalars[position]) else { return nil }
                position += 1
                let (sum, overflow) = i.addingReportingOverflow(digit * weight)
                guard !overflow else { return nil }
                i = sum
                let t = k <= bias ? 1 : (k >= bias + 26 ? 26 : k - bias)
                if digit < t { break }
                let (product, overflow2) = weight.multipliedReportingOverflow(by: 36 - t)
                guard !overflow2 else { return nil }
                weight = product
                k += 36
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF else { return nil }
            output.insert(n, at: i)
            i += 1
        }
        return output
    }

    static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar {
        case "a"..."z": Int(scalar.value) - 97
        case "A"..."Z": Int(scalar.value) - 65
        case "0"..."9": Int(scalar.value) - 22
        default: nil
        }
    }

    static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta / 700 : delta / 2
        delta += delta / count
        var k = 0
        while delta > (35 * 26) / 2 {
            delta /= 35
            k += 36
        }
        return k + (36 * delta) / (delta + 38)
    }
}
