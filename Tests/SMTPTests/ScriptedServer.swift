import DevServer
import Foundation
import NetworkIO
import Testing

/// A one-connection SMTP server that follows a script written in the test: it can send anything
/// (garbage, split or injected replies), stall, hang up or switch to TLS at any point, and
/// records what the client sent. Loopback only, free port, stops by itself.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    let certificatePEM: String
    private let socket: TCPSocket
    private let lock = NSLock()
    private var failure: String?
    private var receivedLines: [String] = []
    /// Resumed once the script has ended (``finish()``'s wait).
    private let ended = DispatchSemaphore(value: 0)

    /// Starts listening and runs `script` for the first connection, on a thread of its own.
    init(_ script: @escaping @Sendable (ScriptedPeer) throws -> Void) throws {
        let certificate = try SelfSignedCertificate()
        certificatePEM = certificate.certificatePEM
        let context = try TLSContext(.server(certificateChainPEM: certificate.certificatePEM,
                                             privateKeyPEM: certificate.privateKeyPEM))
        socket = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        port = socket.localPort
        let listener = socket
        let thread = Thread { [self] in
            defer { ended.signal() }
            guard let client = try? listener.accept() else { return }
            let peer = ScriptedPeer(stream: NetworkStream(socket: client), tls: context) { line in
                self.lock.withLock { self.receivedLines.append(line) }
            }
            do {
                try script(peer)
            } catch {
                lock.withLock { failure = "\(error)" }
            }
            peer.stream.close()
        }
        thread.start()
    }

    /// Every line the client sent that the script read, in order.
    var lines: [String] { lock.withLock { receivedLines } }

    /// Waits for the script to end (woken when it does, on a thread of its own: never a sleep loop
    /// on the cooperative pool); records a test issue if it failed, or did not end within
    /// `ScriptedPeer.patience` (a script the client never completed); closes the listener.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) async {
        let ended = self.ended
        let completed = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: ended.wait(timeout: .now() + ScriptedPeer.patience) == .success) }.start()
        }
        socket.shutdown()
        if !completed {
            Issue.record("scripted server: the script did not complete within \(Int(ScriptedPeer.patience)) s", sourceLocation: sourceLocation)
        } else if let failure = lock.withLock({ failure }) {
            Issue.record("scripted server: \(failure)", sourceLocation: sourceLocation)
        }
    }
}

/// The server side of one scripted connection.
final class ScriptedPeer: @unchecked Sendable {
    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }

    let stream: NetworkStream
    private let tls: TLSContext
    private let record: (String) -> Void
    private var buffer: [UInt8] = []
    /// How many complete lines the first chunk of the most recent `readLine` refill contained.
    private(set) var linesInLastChunk = 0

    init(stream: NetworkStream, tls: TLSContext, record: @escaping (String) -> Void) {
        self.stream = stream
        self.tls = tls
        self.record = record
    }

    func send(_ text: String) throws {
        try stream.write(Array(text.utf8), deadline: .after(seconds: ScriptedPeer.patience))
    }

    /// Sends each byte separately with a pause, so the client sees the reply in many reads.
    func sendByteByByte(_ text: String) throws {
        for byte in text.utf8 {
            try stream.write([byte], deadline: .after(seconds: ScriptedPeer.patience))
            usleep(300)
        }
    }

    /// The default read timeout: only a safety net, long enough for a client on a busy machine
    /// running the whole suite in parallel.
    static let patience = 60.0

    func readLine(timeout: Double = ScriptedPeer.patience) throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                let text = String(decoding: line, as: UTF8.self)
                record(text)
                return text
            }
            let chunk = try stream.read(deadline: .after(seconds: timeout))
            guard !chunk.isEmpty else { throw ScriptError(description: "the client closed the connection") }
            buffer += chunk
            linesInLastChunk = buffer.filter { $0 == UInt8(ascii: "\n") }.count
        }
    }

    /// Reads a line and checks it starts with `prefix` (case-insensitive).
    @discardableResult
    func expect(_ prefix: String, timeout: Double = ScriptedPeer.patience) throws -> String {
        let line = try readLine(timeout: timeout)
        guard line.uppercased().hasPrefix(prefix.uppercased()) else {
            throw ScriptError(description: "expected \(prefix)…, got \(line.debugDescription)")
        }
        return line
    }

    /// Reads message data up to the lone ".".
    func readData() throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try readLine()
            if line == "." { return lines }
            lines.append(line)
        }
    }

    /// Greets, answers EHLO with `extensions`.
    func greetAndHello(_ extensions: [String] = []) throws {
        try send("220 scripted.test ESMTP\r\n")
        try expect("EHLO")
        try sendEHLOReply(extensions)
    }

    func sendEHLOReply(_ extensions: [String]) throws {
        let lines = ["scripted.test"] + extensions
        try send(lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)\r\n" }.joined())
    }

    /// MAIL, RCPT, DATA, body, final reply: an ordinary accepted message.
    /// - Parameter mailSuffix: what the MAIL command must end with, e.g. its parameters.
    func acceptMessage(recipients: Int = 1, mailSuffix: String? = nil) throws {
        let mail = try expect("MAIL FROM:")
        if let mailSuffix, !mail.hasSuffix(mailSuffix) {
            throw ScriptError(description: "MAIL does not end with \(mailSuffix): \(mail)")
        }
        try send("250 2.1.0 Ok\r\n")
        for _ in 0..<recipients {
            try expect("RCPT TO:")
            try send("250 2.1.5 Ok\r\n")
        }
        try expect("DATA")
        try send("354 go ahead\r\n")
        _ = try readData()
        try send("250 2.0.0 queued\r\n")
    }

    /// Switches to TLS; whatever was buffered before is kept unread (it is plaintext).
    func startTLS() throws {
        try stream.startTLS(tls, serverName: nil, deadline: .after(seconds: ScriptedPeer.patience))
    }

    /// Sends nothing for `seconds` (or until the client hangs up).
    func stall(_ seconds: Double) {
        _ = try? stream.read(deadline: .after(seconds: seconds))
    }

    func hangUp() {
        stream.close()
    }
}
