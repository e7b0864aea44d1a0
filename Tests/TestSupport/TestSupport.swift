import Foundation

/// Helpers shared by the test targets: the repository root, Python's `email` parser, and the
/// environment the Postfix test setup exports.
public enum TestSupport {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What Python's `email` package makes of a message (scripts/parse-email.py).
    public struct ParsedEmail: Decodable, Sendable {
        public var subject: String?
        public var from: String?
        public var to: String?
        public var replyTo: String?
        public var messageId: String?
        public var date: String?
        public var contentType: String?
        public var charset: String?
        public var transferEncoding: String?
        public var body: String?
        public var text: String?
        public var html: String?
        public var cc: String?
        /// [display name, address] for each mailbox in From and To, as parsed.
        public var fromMailboxes: [[String]]
        public var toMailboxes: [[String]]
        /// The same, with names decoded by `email.header` (RFC 2047 §6.2 whitespace rules).
        public var fromNames: [[String]]
        public var toNames: [[String]]
        public var structure: String
        public var attachments: [ParsedAttachment]
        public var headers: [[String]]
        public var defects: [String]
        public var maxLineLength: Int
        public var bareLF: Int
        public var bareCR: Int

        /// Header values named `name` (case-insensitive), in order.
        public func headers(named name: String) -> [String] {
            headers.filter { $0.first?.lowercased() == name.lowercased() }.compactMap { $0.last }
        }
    }

    /// An attachment as Python's `email` package sees it.
    public struct ParsedAttachment: Decodable, Sendable, Equatable {
        public var filename: String?
        public var contentType: String
        public var disposition: String?
        public var contentID: String?
        public var sha256: String
        public var size: Int
    }

    /// Parses many messages with one Python process.
    public static func parseWithPython(batch messages: [[UInt8]]) async throws -> [ParsedEmail] {
        let input = try JSONEncoder().encode(messages.map { Data($0).base64EncodedString() })
        let output = try await run([python, repositoryRoot.appendingPathComponent("scripts/parse-email.py").path, "--batch"],
                                   input: Array(input))
        return try JSONDecoder().decode([ParsedEmail].self, from: Data(output))
    }

    /// Debian's Python (where apt's python3-dkim lives) when present, else `python3` from PATH.
    public static let python: String = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    /// Parses `message` with Python's `email` package.
    public static func parseWithPython(_ message: [UInt8]) async throws -> ParsedEmail {
        let output = try await run([python, repositoryRoot.appendingPathComponent("scripts/parse-email.py").path], input: message)
        return try JSONDecoder().decode(ParsedEmail.self, from: Data(output))
    }

    /// Parses the message file at `path` with Python's `email` package.
    public static func parseWithPython(file path: String) async throws -> ParsedEmail {
        try await parseWithPython(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// What a finished process left behind.
    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, feeding `input` on standard input. The waiting happens
    /// on a thread of its own, so tests never block Swift's cooperative pool (which would starve
    /// tests running beside them, such as the concurrency test). `environment` adds to (or
    /// overrides) the test process's own.
    public static func runProcess(_ executable: URL, _ arguments: [String], input: [UInt8] = [],
                                  environment: [String: String] = [:]) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runProcessBlocking(executable, arguments, input: input, environment: environment) })
            }.start()
        }
    }

    private static func runProcessBlocking(_ executable: URL, _ arguments: [String], input: [UInt8],
                                           environment: [String: String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: Array(output), stderr: Array(errors))
    }

    /// Runs a command (looked up in PATH) and returns its standard output; throws unless it exits 0.
    public static func run(_ arguments: [String], input: [UInt8] = []) async throws -> [UInt8] {
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, input: input)
        guard result.status == 0 else {
            throw CommandFailure(command: arguments.joined(separator: " "), status: result.status, stderr: result.stderrText)
        }
        return result.stdout
    }

    /// Lines collected from callbacks on any thread (log handlers, transcripts).
    public final class LineCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        public init() {}
        public func append(_ line: String) { lock.withLock { lines.append(line) } }
        public var all: [String] { lock.withLock { lines } }
    }

    /// A command that exited non-zero.
    public struct CommandFailure: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String
        public var description: String { "\(command) exited \(status): \(stderr)" }
    }

    /// The Postfix server scripts/postfix-test-env.sh started, read from the environment.
    public struct Postfix: Sendable {
        public var port: Int
        public var tlsPort: Int
        public var caPath: String
        public var user: String
        public var password: String
        public var maildir: String
        /// The instance's configuration directory, for `sendmail -C` and `postqueue -c`.
        public var configDirectory: String

        /// The environment's Postfix, or nil with the reason it is missing.
        public static func fromEnvironment() -> (Postfix?, String) {
            let env = ProcessInfo.processInfo.environment
            guard let port = env["POSTFIX_TEST_PORT"].flatMap(Int.init),
                  let tlsPort = env["POSTFIX_TEST_TLS_PORT"].flatMap(Int.init),
                  let ca = env["POSTFIX_TEST_CA"], let user = env["POSTFIX_TEST_USER"],
                  let password = env["POSTFIX_TEST_PASS"], let maildir = env["POSTFIX_TEST_MAILDIR"],
                  let directory = env["POSTFIX_TEST_DIR"] else {
                return (nil, "POSTFIX_TEST_* is not set: the Postfix interop tests need a real Postfix. Run scripts/test.sh as root, which installs, configures and starts it.")
            }
            return (Postfix(port: port, tlsPort: tlsPort, caPath: ca, user: user, password: password, maildir: maildir,
                            configDirectory: directory + "/etc"), "")
        }

        /// Waits for the delivered message whose Message-ID is `messageID` and returns its path.
        public func waitForDelivery(messageID: String, timeout: Double = 120) async throws -> String? {
            let directory = maildir + "/new"
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for name in names {
                    let path = directory + "/" + name
                    if let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains(messageID) {
                        return path
                    }
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            return nil
        }
    }

    /// Whether the Postfix tests were explicitly switched off (SMTP_TESTS_SKIP_POSTFIX=1).
    public static var postfixExplicitlySkipped: Bool {
        ProcessInfo.processInfo.environment["SMTP_TESTS_SKIP_POSTFIX"] == "1"
    }
}
