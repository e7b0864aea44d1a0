import DevServer
import Foundation
import Glibc
import NetworkIO
import Testing
import TestSupport

/// The `smtp-connector` executable, run as a process: arguments, output and exit codes.
@Suite struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary SwiftPM built next to the test bundle.
    static let binary: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("smtp-connector").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("smtp-connector")
    }()

    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) async throws -> Result {
        let result = try await TestSupport.runProcess(binary, arguments, input: Array(stdin.utf8), environment: environment)
        return Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }

    static func config(port: Int, caPEM: String, password: String) throws -> String {
        let object: [String: Any] = [
            "host": "127.0.0.1", "port": port, "fromEmail": "app@example.test", "requireTLS": true,
            "tls": ["ca": caPEM, "servername": "localhost"],
            "auth": ["user": "app", "pass": password],
            "templates": ["SignIn", "Register", "ForgotPassword", "Generic"].map {
                ["usageType": $0, "contentType": "text/plain", "subject": "\($0) {{code}}", "content": "Code {{code}} {{ link }}"]
            },
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func demoSendsAllNineUsageTypes() async throws {
        let result = try await Self.run(["demo"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("The server received 9 message(s)"))
        for type in ["SignIn", "Register", "ForgotPassword", "OrganizationInvitation", "Generic",
                     "UserPermissionValidation", "BindNewIdentifier", "MfaVerification", "BindMfa"] {
            #expect(result.stdout.contains("sent  \(type) "))
        }
        #expect(!result.stdout.contains("correct-horse-päss"))
        #expect(!result.stdout.contains("demo@example.test"))  // the demo prints no account details
        #expect(result.stdout.contains("authenticated]"))
    }

    @Test func sendTestDeliversAndReportsAsJSON() async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["app": "pw-123"]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let config = try Self.config(port: server.port, caPEM: server.certificatePEM, password: "pw-123")
        let result = try await Self.run(["send-test", "--config", "-", "--to", "ada@example.test", "--type", "Register",
                                   "--code", "246810", "--data", #"{"link": "https://example.test/x"}"#, "--json"],
                                  stdin: config)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["accepted"] as? [String] == ["ada@example.test"])
        #expect((json?["response"] as? String)?.hasPrefix("250") == true)
        let message = try #require(server.messages.first)
        #expect(message.header("Subject") == "Register 246810")
        #expect(message.text.contains("Code 246810 https://example.test/x"))
    }

    @Test func sendTestFailureIsExit1WithTheReplyAndNoPassword() async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["app": "right"]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let config = try Self.config(port: server.port, caPEM: server.certificatePEM, password: "Wr0ng-Secret!")
        let json = try await Self.run(["send-test", "--config", "-", "--to", "ada@example.test", "--json"], stdin: config)
        #expect(json.status == 1)
        let error = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "authorization_failed")
        #expect(error?["phase"] as? String == "auth")
        #expect((error?["reply"] as? [String: Any])?["code"] as? Int == 535)
        let text = try await Self.run(["send-test", "--config", "-", "--to", "ada@example.test"], stdin: config)
        #expect(text.status == 1)
        #expect(text.stderr.contains("535 5.7.8"))
        #expect(text.stderr.contains("hint:"))
        for output in [json.stdout, json.stderr, text.stdout, text.stderr] {
            #expect(!output.contains("Wr0ng-Secret!"))
        }
    }

    @Test func validateListsEveryProblemAndExitsOne() async throws {
        let bad = #"{"host": 1, "fromEmail": "x@example.test", "templates": [{"usageType": "SignIn", "subject": "s", "content": "c", "contentType": "text/rtf"}], "typo": 1}"#
        let text = try await Self.run(["validate", "--config", "-"], stdin: bad)
        #expect(text.status == 1)
        #expect(text.stdout.contains("host: expected a string, found a number"))
        #expect(text.stdout.contains("templates[0].contentType: expected text/plain or text/html"))
        #expect(text.stdout.contains("typo: is not a known option"))
        #expect(text.stdout.contains("templates: has no Generic template"))

        let json = try await Self.run(["validate", "--config", "-", "--json"], stdin: bad)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == false)
        #expect((object?["issues"] as? [[String: Any]])?.count == 6)

        let good = try Self.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----", password: "p")
        let ok = try await Self.run(["validate", "--config", "-"], stdin: good)
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("valid"))
    }

    @Test func malformedJSONIsExit1NamingTheLine() async throws {
        let result = try await Self.run(["validate", "--config", "-"], stdin: "{\n\"host\": \"a\",\n}")
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 3"))
    }

    @Test(arguments: [["nonsense"], ["validate"], ["send-test", "--config", "x.json"], ["validate", "--config", "a", "--bogus"],
                      ["send-test", "--config", "-", "--to", "a@b.c", "--type", "Nope"], []])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("usage") || result.stdout.contains("Commands:"))
    }

    @Test func helpListsTheCommands() async throws {
        let result = try await Self.run(["--help"])
        #expect(result.status == 0)
        for command in ["demo", "send-test", "validate"] { #expect(result.stdout.contains(command)) }
    }
}

@Suite struct PresetAndDoctorCLITests {
    static let templates = #"[{"usageType":"SignIn","contentType":"text/plain","subject":"s","content":"{{code}}"},{"usageType":"Register","contentType":"text/plain","subject":"s","content":"c"},{"usageType":"ForgotPassword","contentType":"text/plain","subject":"s","content":"c"},{"usageType":"Generic","contentType":"text/plain","subject":"s","content":"c"}]"#

    @Test func presetsListShowsEveryPreset() async throws {
        let result = try await CLITests.run(["presets", "list"])
        #expect(result.status == 0)
        for id in ["gmail", "sendgrid", "aliyun-directmail", "microsoft365", "amazon-ses", "mailgun", "postmark", "resend", "brevo"] {
            #expect(result.stdout.contains(id), "missing \(id)")
        }
        #expect(result.stdout.contains("smtp.gmail.com:465"))
    }

    @Test func validateShowsTheResolvedGmailValues() async throws {
        let config = #"{"preset":"gmail","auth":{"user":"a@gmail.com","pass":"app-password"},"templates":\#(Self.templates)}"#
        let result = try await CLITests.run(["validate", "--config", "-"], stdin: config)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#"host      = "smtp.gmail.com"   (preset gmail)"#))
        #expect(result.stdout.contains("port      = 465"))
        #expect(result.stdout.contains("fromEmail = \"a@gmail.com\"   (derived from auth.user)"))
        #expect(!result.stdout.contains("app-password"))
    }

    @Test func presetsShowResolvesSendGridsAliasAndAliyunsRegion() async throws {
        let sendgrid = try await CLITests.run(["presets", "show", "sendgrid", "--config", "-", "--json"],
                                              stdin: #"{"apiKey":"SG.secret","fromEmail":"a@acme.com"}"#)
        #expect(sendgrid.status == 0, "\(sendgrid.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(sendgrid.stdout.utf8)) as? [String: Any]
        let resolved = (json?["resolved"] as? [String: Any])?["config"] as? [String: Any]
        let auth = resolved?["auth"] as? [String: Any]
        // The password is masked; the preset's fixed user name is not a secret (issue 26 item 8).
        #expect(auth?["user"] as? String == "apikey")
        #expect(auth?["pass"] as? String == "********")
        #expect((json?["resolved"] as? [String: Any]).flatMap { $0["sources"] as? [String: Any] }?["auth.user"] != nil)
        #expect(!sendgrid.stdout.contains("SG.secret"))

        let aliyun = try await CLITests.run(["presets", "show", "aliyun-directmail", "--config", "-"],
                                            stdin: #"{"region":"us-east-1","auth":{"user":"a@acme.com","pass":"p"}}"#)
        #expect(aliyun.stdout.contains(#"host        = "smtpdm-us-east-1.aliyuncs.com"   (variant region=us-east-1)"#))
        #expect(aliyun.stdout.contains("blocked by default on Alibaba Cloud ECS"))
    }

    @Test func presetsUsageErrors() async throws {
        #expect(try await CLITests.run(["presets"]).status == 2)
        #expect(try await CLITests.run(["presets", "show"]).status == 2)
        #expect(try await CLITests.run(["presets", "show", "nope"]).status == 1)
    }

    @Test func doctorReportsEachStepAndTheFix() async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["app": "pw"]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let good = try CLITests.config(port: server.port, caPEM: server.certificatePEM, password: "pw")
        let ok = try await CLITests.run(["doctor", "--config", "-"], stdin: good)
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("ok   auth"))
        #expect(ok.stdout.contains("nothing was sent"))
        #expect(server.messages.isEmpty)

        let bad = try CLITests.config(port: server.port, caPEM: server.certificatePEM, password: "wrong-Secret-9")
        let failed = try await CLITests.run(["doctor", "--config", "-", "--json"], stdin: bad)
        #expect(failed.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any]
        let steps = json?["steps"] as? [[String: Any]] ?? []
        #expect(steps.last?["name"] as? String == "auth")
        #expect(steps.last?["status"] as? String == "fail")
        #expect(!failed.stdout.contains("wrong-Secret-9"))
    }
}

@Suite struct BenchAndInboxCLITests {
    @Test func benchDeliversEveryMessageAndWritesOutcomes() async throws {
        let server = try DevServer(DevServerConfiguration())
        try server.start()
        defer { server.stop() }
        let outcomes = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: outcomes) }
        let result = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(server.port), "--tls",
                                             "--ca", try caFile(server), "--messages", "40", "--connections", "4",
                                             "--size", "3000", "--outcomes", outcomes.path])
        #expect(result.status == 0, "\(result.stderr)")
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("sent=40 errors=0 inner_s="))
        let lines = try String(contentsOf: outcomes, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        #expect(lines.allSatisfy { $0.contains(#""outcome":"delivered""#) })
        #expect(server.messages.count == 40)
        #expect(server.connectionCount <= 4)
        #expect(server.messages.allSatisfy { $0.tlsVersion != nil })
        // (Fewer than 4 when the first connections were quick enough to take every message.)
        let pooledConnections = server.connectionCount

        let fresh = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(server.port), "--tls",
                                            "--ca", try caFile(server), "--messages", "5", "--connections", "2", "--size", "100", "--fresh"])
        #expect(fresh.stdout.hasSuffix("\n") && fresh.stdout.contains("sent=5 errors=0"))
        #expect(server.connectionCount == pooledConnections + 5)  // one each, none retried
    }

    @Test func benchCountsFailuresAndNeverRetriesAfterTheBody() async throws {
        var configuration = DevServerConfiguration()
        configuration.allowedSenders = ["someone@example.test"]  // every MAIL FROM is refused: a permanent error
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let result = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(server.port),
                                             "--messages", "3", "--connections", "1", "--size", "10"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("sent=0 errors=3"))
    }

    @Test func inboxPrintsAndSavesWhatArrives() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Port 0: the inbox binds a port of its own and says which. A port probed free beforehand
        // could be taken by a test running beside this one before the inbox binds it.
        let inbox = try InboxProcess(["inbox", "--listen", "127.0.0.1:0", "--dir", directory.path, "--exit-after", "2"])
        let port = try await inbox.port()
        let outcomes = directory.deletingLastPathComponent().appendingPathComponent("outcomes-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: outcomes) }
        let bench = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(port), "--messages", "2",
                                            "--connections", "1", "--size", "50", "--outcomes", outcomes.path])
        let delivered = bench.stdout.contains("sent=2 errors=0")
        // What each message met, should one fail: the reply or error the bench recorded for it.
        #expect(delivered, "\(bench.stdout)\(bench.stderr)\((try? String(contentsOf: outcomes, encoding: .utf8)) ?? "")")
        if !delivered { inbox.terminate() }  // it would wait for a second message forever
        let result = try await inbox.finish()
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"bench 0\""))
        #expect(result.stdout.contains("\"bench 1\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.count == 2)
    }

    /// A flood that exhausts the inbox's descriptors (`ulimit -n 48`, 80 connections held) ends some
    /// accepts with EMFILE, not the accept loop: once the flood is gone, a message still arrives
    /// (before, the loop ended at the first EMFILE and the inbox never greeted anyone again).
    @Test func anInboxOutOfDescriptorsKeepsAccepting() async throws {
        let inbox = try InboxProcess(["inbox", "--listen", "127.0.0.1:0", "--exit-after", "1"], descriptorLimit: 48)
        let port = try await inbox.port()
        let flood = BlockingExecutor(name: "test-flood", maxThreads: 1)
        try await flood.run {
            let held = try (0..<80).map { _ in
                NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 10)))
            }
            // The first ones are greeted: the inbox is serving them when its descriptors run out.
            _ = try held[0].read(deadline: .after(seconds: 30))
            held.forEach { $0.close() }
        }
        let bench = try await CLITests.run(["bench", "--host", "127.0.0.1", "--port", String(port), "--messages", "1",
                                            "--connections", "1", "--size", "50"])
        let delivered = bench.stdout.contains("sent=1 errors=0")
        #expect(delivered, "\(bench.stdout)\(bench.stderr)")
        if !delivered { inbox.terminate() }  // it would wait for a message forever
        let result = try await inbox.finish()
        #expect(result.status == 0)
    }

    /// A subject carrying terminal escape sequences is printed escaped, never raw.
    @Test func inboxEscapesControlCharactersInWhatItPrints() async throws {
        let inbox = try InboxProcess(["inbox", "--listen", "127.0.0.1:0", "--exit-after", "1"])
        let port = try await inbox.port()
        let sender = BlockingExecutor(name: "test-escape", maxThreads: 1)
        try await sender.run {
            let stream = NetworkStream(socket: try TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .after(seconds: 10)))
            defer { stream.close() }
            let dialogue = "EHLO x\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\nSubject: \u{1B}]0;pwned\u{07}Hi\u{1B}[2J\r\n\r\nbody\r\n.\r\nQUIT\r\n"
            try stream.write(Array(dialogue.utf8), deadline: .after(seconds: 10))
            while let bytes = try? stream.read(deadline: .after(seconds: 10)), !bytes.isEmpty {}
        }
        let result = try await inbox.finish()
        #expect(result.status == 0)
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"), "raw control characters reached the terminal")
        #expect(result.stdout.contains(#"\u{1B}]0;pwned\u{7}Hi\u{1B}[2J"#), "\(result.stdout)")
    }

    private func caFile(_ server: DevServer) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ca-\(server.port).pem").path
        try server.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite struct ReadmeTests {
    /// The README's complete configuration must stay valid as the code changes.
    @Test func theReadmesCompleteConfigurationValidates() async throws {
        let readme = try String(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## A complete configuration"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```json\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        let json = String(rest[start.upperBound..<end.lowerBound])
        let result = try await CLITests.run(["validate", "--config", "-"], stdin: json)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}

/// `smtp-connector inbox` as a child process whose first line (the address it listens on) is read
/// as soon as it is printed. Blocking reads run on a thread of their own, not the cooperative pool.
private final class InboxProcess: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var firstLine = Data()

    /// Starts `smtp-connector` with `arguments`; with `descriptorLimit`, under `ulimit -n` of that many.
    init(_ arguments: [String], descriptorLimit: Int? = nil) throws {
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", CLITests.binary.path] + arguments
        } else {
            process.executableURL = CLITests.binary
            process.arguments = arguments
        }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// The port from "inbox listening on 127.0.0.1:PORT".
    func port() async throws -> Int {
        let line: String = await withCheckedContinuation { continuation in
            Thread {
                while !self.firstLine.contains(0x0A) {
                    let chunk = self.output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    self.firstLine += chunk
                }
                continuation.resume(returning: String(decoding: self.firstLine, as: UTF8.self))
            }.start()
        }
        let first = line.split(separator: "\n").first.map(String.init) ?? ""
        guard first.hasPrefix("inbox listening on "), let port = first.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) }) else {
            throw InboxFailure(message: "the inbox did not say where it listens: \(line)")
        }
        return port
    }

    /// Stops the inbox. SIGKILL: the test runner's threads block SIGTERM and a child inherits that
    /// mask, so terminate() could leave it running and `finish()` waiting.
    func terminate() { kill(process.processIdentifier, SIGKILL) }

    /// Waits for the inbox to exit; its whole stdout (the first line included) and status.
    func finish() async throws -> (status: Int32, stdout: String) {
        await withCheckedContinuation { continuation in
            Thread {
                let rest = self.output.fileHandleForReading.readDataToEndOfFile()
                _ = self.errors.fileHandleForReading.readDataToEndOfFile()
                self.process.waitUntilExit()
                continuation.resume(returning: (self.process.terminationStatus, String(decoding: self.firstLine + rest, as: UTF8.self)))
            }.start()
        }
    }
}

private struct InboxFailure: Error {
    var message: String
}
