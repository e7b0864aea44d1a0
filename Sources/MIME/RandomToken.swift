/// Random lowercase hex for boundaries and Message-IDs.
///
/// Drawn from `SystemRandomNumberGenerator` (getrandom(2) on Linux). Foundation's `UUID()` opens
/// /dev/urandom on every call there, which was 8% of the CPU of composing a 2 KB message.
enum RandomToken {
    /// `count` hex digits (4 bits of randomness each).
    static func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var generator = SystemRandomNumberGenerator()
        var word: UInt64 = 0
        return String(unsafeUninitializedCapacity: count) { buffer in
            for index in 0..<count {
                if index % 16 == 0 { word = generator.next() }
                buffer[index] = digits[Int(word & 0xF)]
                word >>= 4
            }
            return count
        }
    }
}
