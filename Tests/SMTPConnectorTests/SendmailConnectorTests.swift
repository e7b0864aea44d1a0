import ConnectorKit
import Foundation
import Glibc
import Testing
import TestSupport
@testable import SMTPConnector

/// The `sendmail` connector against the private Postfix's own sendmail (`-C` its configuration),
/// and against small sendmail programs of the test's that record what they were given and end
/// the way a local MTA can.
@Suite struct SendmailConnectorTests {
    static let templates: ConfigValue = .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
        ["usageType": .string($0), "contentType": "text/plain", "subject": "Code {{code}}", "content": "Your code is {{code}}.\n.\nBye"]
    })

    private func config(path: String, arguments: [String] = [], timeout: Int? = nil) -> ConfigValue {
        var object: [String: ConfigValue] = ["path": .string(path), "arguments": .array(arguments.map(ConfigValue.string)),
                                             "fromEmail": "Acme <app@example.test>", "templates": Self.templates]
        if let timeout { object["timeout"] = .number(Double(timeout)) }
        return .object(object)
    }

    private func request(to: String = "bob@example.test", bcc: [String] = []) -> EmailRequest {
        var request = EmailRequest(to: to, usageType: .signIn, payload: ["code": "314159"])
        request.bcc = bcc
        return request
    }

    @Test(.enabled(if: !TestSupport.postfixExplicitlySkipped, "SMTP_TESTS_SKIP_POSTFIX=1"))
    func postfixQueuesAndDeliversWhatItIsHanded() async throws {
        let (found, reason) = TestSupport.Postfix.fromEnvironment()
        let postfix = try #require(found, "\(reason)")
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(
            config(path: "/usr/sbin/sendmail", arguments: ["-C", postfix.configDirectory])))
        let receipt = try await connector.send(request(bcc: ["hidden@example.test"]))
        #expect(receipt.accepted == ["bob@example.test", "hidden@example.test"])
        #expect(receipt.envelope?.from == "app@example.test")
        let path = try #require(await postfix.waitForDelivery(messageID: receipt.messageID),
                                "sendmail accepted \(receipt.messageID) but it did not reach \(postfix.maildir)/new")
        let parsed = try await TestSupport.parseWithPython(file: path)
        #expect(parsed.subject == "Code 314159")
        #expect(parsed.text?.contains("Your code is 314159.\n.\nBye") == true, "\(parsed.text ?? "")")
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        // The Bcc recipient got a copy (the envelope), and no header of the message names it.
        let lines = raw.split(separator: "\n")
        #expect(!lines.contains { $0.lowercased().hasPrefix("bcc:") })
        #expect(lines.contains("To: bob@example.test"))
        #expect(lines.filter { $0.hasPrefix("To:") || $0.hasPrefix("Cc:") }.allSatisfy { !$0.contains("hidden") })
        #expect(!raw.contains("\r"))
    }

    /// A sendmail program of the test's: records its arguments, its open descriptors and its input,
    /// writes `stderr` to standard error and exits with `status` (after `sleep` seconds).
    ///
    /// Run as `/bin/sh SCRIPT ...` rather than exec'd itself: a script just written may still be open
    /// for writing in a child another test is forking at that moment, and exec would fail with
    /// ETXTBSY ("Text file busy").
    private struct FakeSendmail {
        let folder: URL
        var script: String { folder.appendingPathComponent("sendmail").path }
        var path: String { "/bin/sh" }
        var arguments: String { (try? String(contentsOf: folder.appendingPathComponent("args"), encoding: .utf8)) ?? "" }
        var descriptors: [Int] {
            ((try? String(contentsOf: folder.appendingPathComponent("fds"), encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int($0) }
        }
        var input: [UInt8]? { try? Array(Data(contentsOf: folder.appendingPathComponent("input"))) }
        /// The program's process id (its process group's too), once it has started.
        var pid: pid_t? {
            (try? String(contentsOf: folder.appendingPathComponent("pid"), encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        init(status: Int32, stderr: String = "", readInput: Bool = true, sleep: Int = 0, daemon: Bool = false) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sendmail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let script = """
                #!/bin/sh
                echo $$ > '\(folder.path)/pid'
                printf '%s ' "$@" > '\(folder.path)/args'
                ls /proc/$$/fd | tr '\\n' ' ' > '\(folder.path)/fds'
                \(readInput ? "cat > '\(folder.path)/input'" : ":")
                \(sleep > 0 ? "sleep \(sleep)" : ":")
                \(daemon ? "sleep 600 >&2 & echo $! > '\(folder.path)/daemon'" : ":")
                printf '%s' '\(stderr)' >&2
                exit \(status)
                """
            try script.write(toFile: folder.appendingPathComponent("sendmail").path, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    @Test func theCommandLineIsTheEnvelopeAndNothingLeaksIntoTheChild() async throws {
        let fake = try FakeSendmail(status: 0)
        defer { fake.remove() }
        // A descriptor without close-on-exec, as a host app might hold: the child must not get it.
        let stray = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 300)
        defer { close(stray) }
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: fake.path, arguments: [fake.script, "-oX"])))
        let receipt = try await connector.send(request(bcc: ["hidden@example.test"]))
        #expect(fake.arguments == "-oX -i -f app@example.test -- bob@example.test hidden@example.test ")
        #expect(stray >= 300 && !fake.descriptors.contains(Int(stray)), "\(fake.descriptors)")
        let input = try #require(fake.input)
        #expect(!input.contains(0x0D), "LF line endings for a local program")
        let text = String(decoding: input, as: UTF8.self)
        #expect(text.contains("Subject: Code 314159\n") && !text.contains("hidden@example.test"))
        #expect(receipt.response.contains("/bin/sh"))
    }

    @Test(arguments: [
        (Int32(67), ConnectorError.Code.invalidRequest, false), (75, .general, true), (77, .authorizationFailed, false),
        (78, .invalidConfig, false), (64, .invalidConfig, false), (70, .general, false),
    ])
    func exitStatusesMapToErrorsWithHints(status: Int32, code: ConnectorError.Code, transient: Bool) async throws {
        let fake = try FakeSendmail(status: status, stderr: "fake: status \(status)")
        defer { fake.remove() }
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: fake.path, arguments: [fake.script])))
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request()) }
        #expect(error.code == code)
        #expect(error.isTransient == transient)
        #expect(error.message.contains("status \(status) (\(SendmailOutcome.name(status)))") && error.message.contains("fake: status \(status)"))
        #expect(error.hint?.isEmpty == false)
    }

    /// A program that takes the whole message and then hangs may have queued it: outcome unknown,
    /// which failover never retries. One that hangs before reading it has queued nothing.
    @Test func aHungProgramIsKilledAtTheTimeout() async throws {
        let took = try FakeSendmail(status: 0, sleep: 600)
        defer { took.remove() }
        let start = ContinuousClock.now
        // 5 s: the whole (small) message must be handed over before the timeout, even when a loaded
        // machine holds this thread back for a while after the spawn.
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: took.path, arguments: [took.script], timeout: 5000)))
        let unknown = try await #require(throws: ConnectorError.self) { try await connector.send(request()) }
        #expect(unknown.code == .outcomeUnknown, "\(unknown)")
        #expect(start.duration(to: .now) < .seconds(100), "killed at the 5 s timeout, not after the program's 600 s")

        let stuck = try FakeSendmail(status: 0, readInput: false, sleep: 600)
        defer { stuck.remove() }
        var big = request()
        big.attachments = [EmailAttachment(filename: "big.bin", data: Data(repeating: 7, count: 512 * 1024))]
        let notQueued = try await #require(throws: ConnectorError.self) {
            try await SendmailConnector(config: SendmailConnectorConfig.parse(config(path: stuck.path, arguments: [stuck.script], timeout: 1000))).send(big)
        }
        #expect(notQueued.code == .general && notQueued.isTransient, "\(notQueued)")
    }

    /// Cancelling the task that sends stops the program and everything it started at once, long
    /// before the timeout; nothing is queued, since it never had the whole message.
    @Test func cancellingTheSendKillsTheProgram() async throws {
        let stuck = try FakeSendmail(status: 0, readInput: false, sleep: 600)
        defer { stuck.remove() }
        var big = request()
        big.attachments = [EmailAttachment(filename: "big.bin", data: Data(repeating: 7, count: 512 * 1024))]
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: stuck.path, arguments: [stuck.script], timeout: 1_800_000)))
        let send = Task { try await connector.send(big) }
        // The event to wait for: the program has started (it wrote its process id).
        let deadline = ContinuousClock.now + .seconds(120)
        while stuck.pid == nil, ContinuousClock.now < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        let pid = try #require(stuck.pid, "the fake sendmail never started")
        let start = ContinuousClock.now
        send.cancel()
        let error = try await #require(throws: ConnectorError.self) { try await send.value }
        #expect(error.code == .cancelled, "\(error)")
        #expect(error.message.contains("nothing was queued"), "\(error)")
        #expect(start.duration(to: .now) < .seconds(200), "stopped at the cancel, not at the 1,800 s timeout")
        // The process group (the shell and its `sleep 600`) is gone; a zombie left for init to
        // reap does not count.
        #expect(Self.livingProcesses(inGroup: pid).isEmpty)
    }

    /// Processes of group `group` that are not zombies, from /proc/PID/stat (`pid (comm) state ppid pgrp ...`).
    private static func livingProcesses(inGroup group: pid_t) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int32(entry) != nil,
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && fields[2] == "\(group)"
        }
    }

    /// A program that exits 0 while something it started keeps its standard error open (as an MTA's
    /// daemon may) is done when it exits, not when the pipe closes.
    @Test func theProgramsExitEndsTheWaitNotItsErrorPipe() async throws {
        let fake = try FakeSendmail(status: 0, daemon: true)
        defer { fake.remove() }
        // The daemon holds the error pipe for 600 s and the timeout is 1,800 s: a wait for the pipe
        // would take 600 s at least, against a bound of 200 s with room for a loaded machine.
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: fake.path, arguments: [fake.script], timeout: 1_800_000)))
        let start = ContinuousClock.now
        let receipt = try await connector.send(request())
        let elapsed = start.duration(to: .now)
        if let pid = (try? String(contentsOf: fake.folder.appendingPathComponent("daemon"), encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            kill(pid, SIGKILL)
        }
        #expect(receipt.accepted == ["bob@example.test"])
        #expect(elapsed < .seconds(200), "done at the program's exit, not when its daemon closes the pipe (600 s): \(elapsed)")
    }

    @Test func aRecipientThatReadsAsAnOptionIsRefusedBeforeAnyProgramRuns() async throws {
        let fake = try FakeSendmail(status: 0)
        defer { fake.remove() }
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: fake.path, arguments: [fake.script])))
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request(to: "-oQ/tmp@example.test")) }
        #expect(error.code == .invalidRequest && error.message.contains("\"-\""))
        #expect(fake.input == nil, "the program never ran")
    }

    @Test func aMissingProgramIsAConfigErrorWithTheFix() async throws {
        let connector = try SendmailConnector(config: SendmailConnectorConfig.parse(config(path: "/nonexistent/sendmail")))
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request()) }
        #expect(error.code == .invalidConfig && error.message.contains("No such file"))
        #expect(await connector.diagnose().ok == false)
    }

    static let badConfigs: [(key: String, value: ConfigValue)] = [
        ("path", "sendmail"), ("arguments", ["-t"]), ("arguments", ["--"]), ("arguments", ["-f", "x@y"]),
        ("arguments", ["-bs"]), ("arguments", ["-vt"]), ("arguments", ["-Ut"]), ("fromEmail", "-x@example.test"), ("timeout", 0),
    ]

    @Test(arguments: 0..<badConfigs.count)
    func configProblemsNameTheirKey(index: Int) {
        let (key, value) = Self.badConfigs[index]
        var object = config(path: "/usr/sbin/sendmail").objectValue ?? [:]
        object[key] = value
        let issues = SendmailConnectorConfig.validate(.object(object))
        #expect(issues.contains { $0.path == key }, "\(issues)")
    }
}
