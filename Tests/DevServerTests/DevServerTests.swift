import Foundation
import Testing
import TestSupport
@testable import DevServer

/// The DevServer checked with an independent client: Python's smtplib.
@Suite struct DevServerTests {
    private func send(port: Int, caPEM: String, user: String, password: String, implicit: Bool = false) async throws -> String {
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("devserver-ca-\(UUID().uuidString).pem")
        try caPEM.write(to: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: caFile) }
        let script = """
        import smtplib, ssl, sys
        context = ssl.create_default_context(cafile=sys.argv[2])
        if sys.argv[5] == "implicit":
            client = smtplib.SMTP_SSL("localhost", int(sys.argv[1]), context=context, timeout=10)
        else:
            client = smtplib.SMTP("localhost", int(sys.argv[1]), timeout=10)
            client.starttls(context=context)
        client.login(sys.argv[3], sys.argv[4])
        client.sendmail("py@example.test", ["one@example.test", "two@example.test"],
                        b"Subject: from python\\r\\n\\r\\n.starts with a dot\\r\\nbody\\r\\n")
        print(client.sock.version())
        client.quit()
        """
        let output = try await TestSupport.run(["python3", "-c", script, String(port), caFile.path, user, password,
                                          implicit ? "implicit" : "starttls"])
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [false, true])
    func pythonsSMTPLibDeliversOverTLSWithAuth(implicit: Bool) async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["py": "pass-word"]  // smtplib encodes AUTH as ASCII only
        configuration.tls = implicit ? .implicit : .startTLS
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        let version = try await send(port: server.port, caPEM: server.certificatePEM, user: "py", password: "pass-word", implicit: implicit)
        #expect(version.hasPrefix("TLSv1."))
        let message = try #require(await server.waitForMessages(count: 1).first)
        #expect(message.recipients == ["one@example.test", "two@example.test"])
        #expect(message.authenticatedUser == "py")
        #expect(message.header("subject") == "from python")
        #expect(message.text.hasSuffix("\r\n\r\n.starts with a dot\r\nbody\r\n"))
    }

    @Test func refusesMailBeforeAuthAndBadPasswords() async throws {
        var configuration = DevServerConfiguration()
        configuration.users = ["py": "right"]
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        await #expect(throws: TestSupport.CommandFailure.self) {
            try await send(port: server.port, caPEM: server.certificatePEM, user: "py", password: "wrong")
        }
        #expect(server.messages.isEmpty)
    }

    @Test func savesMessagesAsEMLFilesWhenAsked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devserver-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = DevServerConfiguration()
        configuration.users = ["py": "pw"]
        configuration.saveDirectory = directory
        let server = try DevServer(configuration)
        try server.start()
        defer { server.stop() }
        _ = try await send(port: server.port, caPEM: server.certificatePEM, user: "py", password: "pw")
        _ = await server.waitForMessages(count: 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1 && files[0].hasSuffix(".eml"))
        let parsed = try await TestSupport.parseWithPython(file: directory.appendingPathComponent(files[0]).path)
        #expect(parsed.subject == "from python")
    }

    @Test func selfSignedCertificatesAreFreshEachTime() throws {
        let first = try SelfSignedCertificate()
        let second = try SelfSignedCertificate()
        #expect(first.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(first.privateKeyPEM.contains("PRIVATE KEY"))
        #expect(first.certificatePEM != second.certificatePEM)
    }
}

