import SMTPWire

/// SMTPWire's ``ReplyDecoder`` against any bytes a server might send.
///
/// The first byte picks a piece size; the rest is decoded once whole and once fed in pieces, the way
/// reads really arrive. Both must give the same replies and the same error (a decoder that keeps
/// state between reads must not depend on where the reads split), and every reply must lie within
/// the decoder's limits: a hostile server cannot make it hold more than one over-long line.
enum ReplyDecoderTarget {
    enum Decoded: Equatable {
        case reply(SMTPReply)
        case failure(String)
    }

    static func check(_ data: [UInt8]) throws {
        guard let first = data.first else { return }
        let bytes = Array(data.dropFirst())
        let whole = try decode([bytes])
        let pieces = try decode(FuzzBytes.pieces(bytes, size: Int(first % 16) + 1))
        try require(whole == pieces, "decoding whole gave \(whole), in pieces \(pieces)")
    }

    /// Feeds `pieces` one after the other, taking every reply after each, until the first failure.
    static func decode(_ pieces: [[UInt8]]) throws -> [Decoded] {
        var decoder = ReplyDecoder()
        var decoded: [Decoded] = []
        for piece in pieces {
            decoder.feed(piece)
            do {
                while let reply = try decoder.next() {
                    try checkLimits(reply)
                    decoded.append(.reply(reply))
                }
            } catch let failure as ReplyDecoder.Failure {
                decoded.append(.failure(failure.message))
                return decoded
            }
            // Between reads the decoder holds at most one unfinished line of at most the limit.
            try require(decoder.bufferedByteCount <= ReplyDecoder.maxLineLength,
                        "the decoder holds \(decoder.bufferedByteCount) bytes without failing")
        }
        return decoded
    }

    static func checkLimits(_ reply: SMTPReply) throws {
        try require((200...599).contains(reply.code), "reply code \(reply.code)")
        try require(!reply.lines.isEmpty && reply.lines.count <= ReplyDecoder.maxLines, "\(reply.lines.count) lines")
        for line in reply.lines {
            try require(line.utf8.count < ReplyDecoder.maxLineLength * 3, "a line of \(line.utf8.count) bytes")
            try require(!line.contains("\n"), "a line holding LF")
        }
    }
}
