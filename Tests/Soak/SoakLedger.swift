import Locking
import NetworkIO

/// What the fault server saw of each message, by its number (the `N` of `soak-N@soak.test`):
/// how often its body began to arrive, how often it was kept, and whether a kept copy carried
/// another message's Message-ID. Arrays of counters, so 100,000 messages cost a few hundred KB.
final class SoakLedger: Sendable {
    private struct Counts {
        var bodiesStarted: [UInt8]
        var kept: [UInt8]
        var messageIDMismatches = 0
    }

    private let counts: Locked<Counts>

    init(messages: Int) {
        counts = Locked(Counts(bodiesStarted: Array(repeating: 0, count: messages), kept: Array(repeating: 0, count: messages)))
    }

    /// The first bytes of message `number`'s body arrived.
    func bodyStarted(_ number: Int) {
        counts.withLock { $0.bodiesStarted[number] &+= 1 }
    }

    /// The server kept message `number` (accepted it, or queued it and then failed to say so).
    /// - Parameter messageID: the Message-ID its header carried, for the join.
    func kept(_ number: Int, messageID: String?) {
        counts.withLock {
            $0.kept[number] &+= 1
            if messageID != SoakMessage.messageID(number) { $0.messageIDMismatches += 1 }
        }
    }

    /// The counters, once the run is over.
    func snapshot() -> (bodiesStarted: [UInt8], kept: [UInt8], messageIDMismatches: Int) {
        counts.withLock { ($0.bodiesStarted, $0.kept, $0.messageIDMismatches) }
    }
}

/// The messages the soak sends: numbered, with the number in the envelope and the Message-ID.
enum SoakMessage {
    static func sender(_ number: Int) -> String { "soak-\(number)@soak.test" }
    static func messageID(_ number: Int) -> String { "<soak-\(number)@soak.test>" }

    /// The number in a `MAIL FROM` address, or nil.
    static func number(inSender sender: String) -> Int? {
        guard sender.hasPrefix("soak-"), let at = sender.firstIndex(of: "@") else { return nil }
        return Int(sender[sender.index(sender.startIndex, offsetBy: 5)..<at])
    }

    /// About 1 KB: headers, and body lines of which some start with a dot (so dot-stuffing is
    /// exercised and a server that misreads it keeps a different body).
    static func bytes(_ number: Int) -> [UInt8] {
        var text = "Message-ID: \(messageID(number))\r\nFrom: <\(sender(number))>\r\nTo: <rcpt@soak.test>\r\n"
            + "Subject: soak \(number)\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n\r\n"
        for line in 0..<12 {
            text += line % 4 == 3 ? ".a line that starts with a dot \(line)\r\n" : "line \(line) of message \(number), padding padding padding\r\n"
        }
        return Array(text.utf8)
    }
}
