import Foundation
import NetworkIO

/// One connection of the ``FaultServer``: SMTP as Postfix would speak it (PIPELINING, 8BITMIME),
/// except where the plan says to fail.
struct FaultSession {
    let server: FaultServer
    let stream: NetworkStream
    let byteByByte: Bool
    private var buffer: [UInt8] = []
    private var start = 0

    init(server: FaultServer, stream: NetworkStream, byteByByte: Bool) {
        self.server = server
        self.stream = stream
        self.byteByByte = byteByByte
    }

    /// Ends (by returning) when the client quits or leaves, or a fault closes the connection.
    mutating func run(random: inout SplitMix) {
        do {
            guard try answer(.greeting, "220 soak.test ESMTP\r\n", random: &random) else { return }
            var sender: Int?
            var recipients = 0
            while let line = try readLine() {
                let upper = line.prefix(10).uppercased()
                if upper.hasPrefix("EHLO") || upper.hasPrefix("HELO") {
                    sender = nil
                    recipients = 0
                    guard try answer(.ehlo, "250-soak.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n", random: &random) else { return }
                } else if upper.hasPrefix("MAIL FROM:") {
                    let address = line.dropFirst(10).trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
                    guard let number = SoakMessage.number(inSender: address) else { try write("501 5.1.7 bad sender\r\n"); continue }
                    switch try fault(.mail, random: &random) {
                    case .handled(let goOn): if !goOn { return }
                    case .none:
                        sender = number
                        recipients = 0
                        try write("250 2.1.0 Ok\r\n")
                    }
                } else if upper.hasPrefix("RCPT TO:") {
                    guard sender != nil else { try write("503 5.5.1 Error: need MAIL command\r\n"); continue }
                    switch try fault(.rcpt, random: &random) {
                    case .handled(let goOn): if !goOn { return }
                    case .none:
                        recipients += 1
                        try write("250 2.1.5 Ok\r\n")
                    }
                } else if upper.hasPrefix("DATA") {
                    guard let number = sender, recipients > 0 else { try write("554 5.5.1 Error: no valid recipients\r\n"); continue }
                    switch try fault(.data, random: &random) {
                    case .handled(let goOn): if !goOn { return }
                    case .none:
                        try write("354 End data with <CR><LF>.<CR><LF>\r\n")
                        guard try receiveBody(of: number, random: &random) else { return }
                    }
                    sender = nil
                    recipients = 0
                } else if upper.hasPrefix("RSET") {
                    sender = nil
                    recipients = 0
                    try write("250 2.0.0 Ok\r\n")
                } else if upper.hasPrefix("NOOP") {
                    try write("250 2.0.0 Ok\r\n")
                } else if upper.hasPrefix("QUIT") {
                    try write("221 2.0.0 Bye\r\n")
                    return
                } else {
                    try write("502 5.5.2 Error: command not recognized\r\n")
                }
            }
        } catch {
            // The client left, or timed out and closed: the session ends.
        }
    }

    private enum Handling {
        /// A fault was acted out; false when the connection is over.
        case handled(Bool)
        case none
    }

    /// Acts out the plan's fault at `step`, if it draws one.
    private mutating func fault(_ step: SoakStep, random: inout SplitMix) throws -> Handling {
        let drawn = server.plan.fault(at: step, using: &random)
        if let drawn { server.tally.count(drawn, at: step) }
        switch drawn {
        case nil: return .none
        case .disconnect: return .handled(false)
        case .closing421:
            try write("421 4.3.2 soak.test shutting down\r\n")
            return .handled(false)
        case .transient451:
            try write("451 4.3.0 Try again later\r\n")
            return .handled(true)
        case .stall:
            Thread.sleep(forTimeInterval: server.stallSeconds)
            return .handled(false)
        }
    }

    /// Writes `reply` unless a fault at `step` comes first; false when the connection is over.
    private mutating func answer(_ step: SoakStep, _ reply: String, random: inout SplitMix) throws -> Bool {
        switch try fault(step, random: &random) {
        case .handled(let goOn): return goOn
        case .none:
            try write(reply)
            return true
        }
    }

    /// Reads the body up to the lone dot, then keeps it or not as the plan says. False when the
    /// connection is over.
    private mutating func receiveBody(of number: Int, random: inout SplitMix) throws -> Bool {
        // Part-way through the body: after a random number of lines.
        let cutAfter = server.plan.fault(at: .body, using: &random) == .disconnect ? Int(random.next() % 16) : nil
        if cutAfter != nil { server.tally.count(.disconnect, at: .body) }
        var messageID: String?
        var lines = 0
        var inHeader = true
        while let line = try readLine() {
            if lines == 0 { server.ledger.bodyStarted(number) }
            if line == "." { break }
            lines += 1
            if let cutAfter, lines > cutAfter { return false }
            if inHeader {
                if line.isEmpty { inHeader = false }
                if line.lowercased().hasPrefix("message-id:") { messageID = line.dropFirst(11).trimmingCharacters(in: .whitespaces) }
            }
        }
        let drawn = server.plan.fault(at: .afterBody, using: &random)
        if let drawn { server.tally.count(drawn, at: .afterBody) }
        switch drawn {
        case nil:
            server.ledger.kept(number, messageID: messageID)
            try write("250 2.0.0 Ok: queued as \(number)\r\n")
            return true
        case .disconnect:
            if random.nextUnit() < server.plan.keptBeforeDrop { server.ledger.kept(number, messageID: messageID) }
            return false
        case .closing421:
            try write("421 4.3.2 soak.test shutting down\r\n")
            return false
        case .transient451:
            try write("451 4.3.0 Try again later\r\n")
            return true
        case .stall:
            // Kept, but the 250 comes after the client gave up: an unknown outcome that did arrive.
            server.ledger.kept(number, messageID: messageID)
            Thread.sleep(forTimeInterval: server.stallSeconds)
            try write("250 2.0.0 Ok: queued as \(number)\r\n")
            return false
        }
    }

    private func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        if byteByByte {
            for byte in bytes { try stream.write([byte], deadline: .after(seconds: 10)) }
        } else {
            try stream.write(bytes, deadline: .after(seconds: 10))
        }
    }

    /// The next line without CRLF, or nil when the client closed.
    private mutating func readLine() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                if start > 65_536 {
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
                return line
            }
            let bytes = try stream.read(deadline: .after(seconds: 30))
            if bytes.isEmpty { return nil }
            buffer.append(contentsOf: bytes)
        }
    }
}
