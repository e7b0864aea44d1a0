import Console
import Dispatch
import Foundation
import Testing
import TestSupport

/// `smtp-connector console` as an operator starts and stops it, and `inbox wait` as a host app's
/// end-to-end test uses it.
@Suite struct ConsoleCommandTests {
    /// Starts the binary, returns its first stdout line, then sends SIGINT and returns the exit
    /// status and the rest of stdout. Blocking reads run on a Dispatch thread, not the cooperative pool.
    private func runUntilInterrupted(_ arguments: [String]) async throws -> (first: String, status: Int32, rest: String, stderr: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = CLITests.binary
                    process.arguments = arguments
                    let output = Pipe(), errors = Pipe()
                    process.standardOutput = output
                    process.standardError = errors
                    try process.run()
                    var buffer = Data()
                    while !buffer.contains(0x0A) {
                        let chunk = output.fileHandleForReading.availableData
                        if chunk.isEmpty { break }
                        buffer += chunk
                    }
                    let text = String(decoding: buffer, as: UTF8.self)
                    let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
                    // Prove the console answers before stopping it.
                    if let url = URL(string: first.replacingOccurrences(of: "console: ", with: "")) {
                        _ = try? Data(contentsOf: url)
                    }
                    kill(process.processIdentifier, SIGINT)
                    let rest = output.fileHandleForReading.readDataToEndOfFile()
                    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (first, process.terminationStatus, text + String(decoding: rest, as: UTF8.self),
                                                    String(decoding: stderr, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    @Test func firstLineIsTheURLAndCtrlCStopsCleanly() async throws {
        let result = try await runUntilInterrupted(["console", "--dev-server"])
        #expect(result.first.range(of: #"^console: http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{32}$"#, options: .regularExpression) != nil,
                "first line: \(result.first) \(result.stderr)")
        #expect(result.status == 0)
        #expect(result.rest.contains("dev server: 127.0.0.1:") && result.rest.contains("console stopped"))
        #expect(!result.stderr.contains("warning"))
    }

    @Test func listeningBeyondLoopbackWarns() async throws {
        let result = try await runUntilInterrupted(["console", "--listen", "0.0.0.0:0"])
        #expect(result.first.hasPrefix("console: http://0.0.0.0:"))
        #expect(result.stderr.contains("warning: listening on 0.0.0.0, not loopback"))
    }

    @Test func inboxWaitPrintsTheCodeOnceTheMessageLands() async throws {
        let directory = NSTemporaryDirectory() + "inbox-wait-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Wait first, deliver after: the command must notice the new file by itself.
        async let waited = CLITests.run(["inbox", "wait", "--dir", directory, "--to", "Ada@Example.test", "--extract", "code", "--timeout", "60"])
        let message = "From: app@example.test\r\nTo: ada@example.test\r\nSubject: Sign in\r\nContent-Type: text/plain\r\n\r\nYour code is 604218.\r\n"
        try message.write(toFile: directory + "/00001-abcd.eml", atomically: true, encoding: .utf8)
        let result = try await waited
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "604218\n")
    }

    @Test func inboxWaitReadsAConsolesDevServerAndGivesUpClearly() async throws {
        let console = try OperatorConsole(OperatorConsole.Options(startsDevServer: true))
        try console.start()
        defer { console.stop() }
        let server = try #require(console.devServer)
        let config = try CLITests.config(port: server.port, caPEM: server.certificatePEM, password: "unused")
        let configFile = NSTemporaryDirectory() + "wait-\(UUID().uuidString).json"
        try config.removingAuth().write(toFile: configFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configFile) }
        let sent = try await CLITests.run(["send-test", "--config", configFile, "--to", "bob@example.test", "--type", "Register",
                                           "--data", #"{"link": "https://app.example.test/verify?t=1&u=2"}"#])
        #expect(sent.status == 0, "\(sent.stderr)")
        // The token never goes on the command line (the process list shows it to every local user).
        let base = try #require(console.url.split(separator: "?").first.map(String.init))
        let token = try #require(console.url.split(separator: "=").last.map(String.init))
        let onTheCommandLine = try await CLITests.run(["inbox", "wait", "--console", console.url, "--to", "bob@example.test"])
        #expect(onTheCommandLine.status == 2)
        #expect(onTheCommandLine.stderr.contains("leave the token out of the URL"), "\(onTheCommandLine.stderr)")
        let withoutToken = try await CLITests.run(["inbox", "wait", "--console", base, "--to", "bob@example.test"],
                                                  environment: ["SMTP_CONNECTOR_CONSOLE_TOKEN": ""])
        #expect(withoutToken.status == 2)
        #expect(withoutToken.stderr.contains("SMTP_CONNECTOR_CONSOLE_TOKEN"), "\(withoutToken.stderr)")
        let result = try await CLITests.run(["inbox", "wait", "--console", base, "--to", "bob@example.test", "--extract", "link", "--json"],
                                            environment: ["SMTP_CONNECTOR_CONSOLE_TOKEN": token])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""link":"https://app.example.test/verify?t=1&u=2""#))
        let tokenFile = NSTemporaryDirectory() + "console-token-\(UUID().uuidString)"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let none = try await CLITests.run(["inbox", "wait", "--console", base, "--token-file", tokenFile,
                                           "--to", "nobody@example.test", "--timeout", "1", "--json"])
        #expect(none.status == 1)
        #expect(none.stdout.contains("No message to nobody@example.test arrived within 1 s"))
    }
}

private extension String {
    /// The test config without its `auth` member (the console's DevServer wants no AUTH).
    func removingAuth() throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(utf8)) as? [String: Any] ?? [:]
        object.removeValue(forKey: "auth")
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}
