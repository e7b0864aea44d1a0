import ConnectorKit
import Foundation
import Glibc
import NetworkIO
import TestSupport

/// scripts/api-contract-server.py on a free loopback port with a certificate of its own: it checks
/// each request against SendGrid's or DirectMail's documented contract and answers as scripted.
///
/// The CLI trusts its certificate only through ``run(_:stdin:)``, which runs `smtp-connector` in a
/// mount namespace of its own where the system's CA bundle (what libcurl, under URLSession, reads)
/// is that bundle plus this certificate: the machine's own bundle is never changed. Needs root,
/// as the Postfix tests do; without it the run fails and says so.
final class ContractServer: @unchecked Sendable {
    let port: Int
    private let folder: URL
    private let process = Process()

    /// Starts the server.
    /// - Parameters:
    ///   - vendor: `sendgrid` or `aliyun`.
    ///   - secret: the API key (SendGrid) or AccessKey secret (DirectMail) requests must carry.
    ///   - status, body, headers: the answer to a request that keeps the contract.
    ///   - stall: never answer (the client's timeout must fire).
    init(vendor: String, secret: String, status: Int, body: String = "", headers: [String] = [], stall: Bool = false) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = try SelfSignedCertificate()
        try certificate.certificatePEM.write(to: folder.appendingPathComponent("cert.pem"), atomically: true, encoding: .utf8)
        try certificate.privateKeyPEM.write(to: folder.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        let system = (try? String(contentsOfFile: "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)) ?? ""
        try (system + "\n" + certificate.certificatePEM).write(to: folder.appendingPathComponent("bundle.pem"), atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("record").path, contents: nil)
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/api-contract-server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "--vendor", vendor, "--cert", folder.appendingPathComponent("cert.pem").path,
                             "--key", folder.appendingPathComponent("key.pem").path, "--secret", secret,
                             "--record", folder.appendingPathComponent("record").path, "--status", String(status), "--body", body]
            + headers.flatMap { ["--header", $0] } + (stall ? ["--stall"] : [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening "), let port = Int(text.dropFirst(10).prefix { $0.isNumber }) else {
            kill(process.processIdentifier, SIGKILL)
            throw ContractServerFailure(message: "the contract server did not start: \(text)")
        }
        self.port = port
    }

    /// `https://localhost:PORT`.
    var endpoint: String { "https://localhost:\(port)" }

    /// Every request it received, as recorded (method, path, headers, body, params, violations).
    var requests: [ConfigValue] {
        // An empty record is not read: FoundationEssentials' file reading leaks its 4 KiB buffer for an
        // empty file, which LeakSanitizer reports (scripts/sanitize.sh address).
        let record = folder.appendingPathComponent("record")
        let size = (try? FileManager.default.attributesOfItem(atPath: record.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else { return [] }
        let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? ConfigValue.parse(json: String($0)) }
    }

    /// Runs `smtp-connector ARGUMENTS` trusting this server's certificate (see the type's comment).
    func run(_ arguments: [String], stdin: String) async throws -> CLITests.Result {
        let bundle = folder.appendingPathComponent("bundle.pem").path
        let result = try await TestSupport.runProcess(
            URL(fileURLWithPath: "/usr/bin/unshare"),
            ["--mount", "sh", "-c", "mount --bind \"$0\" /etc/ssl/certs/ca-certificates.crt && exec \"$@\"", bundle, CLITests.binary.path]
                + arguments,
            input: Array(stdin.utf8))
        if result.status != 0, result.stderrText.contains("unshare failed") || result.stderrText.contains("mount:") {
            throw ContractServerFailure(message: "these tests trust a test certificate in a private mount namespace, which needs root: \(result.stderrText)")
        }
        return CLITests.Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }

    /// Kills the server. SIGKILL: the test runner's threads block SIGTERM, and the child inherits
    /// that mask, so terminate() would leave it running.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

struct ContractServerFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
