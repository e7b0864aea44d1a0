import ConnectorKit
import DevServer
import Foundation
import Glibc
import Testing
import TestSupport

/// `sendgrid-api` and `aliyun-directmail-api` through `smtp-connector send-test`, over verified
/// HTTPS, against scripts/api-contract-server.py: every request is checked against the API's
/// documented contract, and each documented answer maps to its error.
///
/// Serialized: each case starts a Python server and the CLI in a namespace of its own; all at once
/// they starved a loaded 2-core machine for long enough that other tests' 30 s timeouts passed.
@Suite(.serialized) struct APIConnectorCLITests {
    static let templates: ConfigValue = .array(["SignIn", "Register", "ForgotPassword", "Generic"].map {
        ["usageType": .string($0), "contentType": "text/html", "subject": "Code {{code}} ✓", "content": "<p>Your code: <b>{{code}}</b></p>",
         "generateText": true]
    })

    private func sendgrid(_ server: ContractServer, key: String = "SG.test-key-123", extra: [String: ConfigValue] = [:]) -> String {
        var config: [String: ConfigValue] = ["connector": "sendgrid-api", "apiKey": .string(key), "endpoint": .string(server.endpoint),
                                             "fromEmail": "Acme Café <no-reply@acme.test>", "replyTo": "help@acme.test",
                                             "customHeaders": ["X-Campaign": "codes"], "templates": Self.templates, "timeout": 60000]
        for (name, value) in extra { config[name] = value }
        return (try? ConfigValue.object(config).jsonText()) ?? "{}"
    }

    private func sendTest(_ server: ContractServer, _ config: String) async throws -> (CLITests.Result, ConfigValue) {
        let result = try await server.run(["send-test", "--config", "-", "--to", "Bob <bob@example.test>", "--code", "271828", "--json"],
                                          stdin: config)
        return (result, (try? ConfigValue.parse(json: result.stdout)) ?? .null)
    }

    @Test func sendGridAcceptsARequestThatKeepsItsContract() async throws {
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: 202, headers: ["X-Message-Id: 14c5d75ce93.dfd.64b469"])
        defer { server.stop() }
        let (result, json) = try await sendTest(server, sendgrid(server))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(json["messageId"] == "14c5d75ce93.dfd.64b469")
        let request = try #require(server.requests.first)
        #expect(request["violations"] == [], "\(request)")
        let body = try ConfigValue.parse(json: request["body"]?.stringValue ?? "")
        #expect(body["from"] == ["email": "no-reply@acme.test", "name": "Acme Café"])
        #expect(body["personalizations"]?[0]?["to"] == [["email": "bob@example.test", "name": "Bob"]])
        #expect(body["subject"] == "Code 271828 ✓")
        #expect(body["content"]?[0]?["type"] == "text/plain" && body["content"]?[1]?["value"] == "<p>Your code: <b>271828</b></p>")
        #expect(body["headers"] == ["X-Campaign": "codes"] && body["reply_to"] == ["email": "help@acme.test"])
        #expect(!result.stdout.contains("SG.test-key-123") && !result.stderr.contains("SG.test-key-123"))
    }

    /// doctor asks SendGrid which scopes the key has (GET /v3/scopes) and sends nothing.
    @Test func doctorChecksTheKeysScopesWithoutSending() async throws {
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: 202)
        defer { server.stop() }
        let good = try await server.run(["doctor", "--config", "-", "--json"], stdin: sendgrid(server))
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let bad = try await server.run(["doctor", "--config", "-", "--json"], stdin: sendgrid(server, key: "SG.other"))
        #expect(bad.status == 1 && bad.stdout.contains("apiKey"), "\(bad.stdout)")
        #expect(server.requests.allSatisfy { $0["path"] == "/v3/scopes" })
    }

    static let sendGridAnswers: [(status: Int, body: String, headers: [String], code: String, says: String)] = [
        (400, #"{"errors":[{"message":"The from address does not match a verified Sender Identity.","field":"from","help":null}]}"#, [],
         "invalid_config", "verified Sender Identity"),
        (400, #"{"errors":[{"message":"Invalid type. Expected: string","field":"personalizations.0.to.0.email"}]}"#, [],
         "invalid_response", "personalizations.0.to.0.email"),
        (403, #"{"errors":[{"field":null,"message":"access forbidden"}]}"#, [], "authorization_failed", "403"),
        (413, #"{"errors":[{"message":"Payload too large"}]}"#, [], "invalid_request", "413"),
        (429, #"{"errors":[{"field":null,"message":"too many requests"}]}"#, ["X-RateLimit-Reset: 1798761600"], "rate_limit_exceeded",
         "2027-01-01T00:00:00Z"),
        (503, "", [], "general", "503"),
    ]

    @Test(arguments: 0..<sendGridAnswers.count)
    func sendGridAnswersMapToErrors(index: Int) async throws {
        let answer = Self.sendGridAnswers[index]
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: answer.status, body: answer.body, headers: answer.headers)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, sendgrid(server))
        #expect(result.status == 1)
        #expect(json["error"]?["code"]?.stringValue == answer.code, "\(result.stdout)")
        #expect(json["error"]?["message"]?.stringValue?.contains(answer.says) == true, "\(result.stdout)")
        #expect(json["error"]?["hint"]?.stringValue?.isEmpty == false)
    }

    @Test func aWrongKeyIsRefusedAndNeverPrinted() async throws {
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.right-key", status: 202)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, sendgrid(server, key: "SG.wrong-key-456"))
        #expect(json["error"]?["code"] == "authorization_failed", "\(result.stdout)")
        #expect(!result.stdout.contains("SG.wrong-key-456") && !result.stderr.contains("SG.wrong-key-456"))
    }

    /// No answer once the request went out: outcome unknown (never retried, never failed over).
    @Test func aRequestWithoutAnAnswerHasAnUnknownOutcome() async throws {
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: 202, stall: true)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, sendgrid(server, extra: ["timeout": 10000]))
        #expect(json["error"]?["code"] == "outcome_unknown", "\(result.stdout)\(result.stderr)")
        #expect(server.requests.count == 1)
    }

    /// TLS is verified: outside the namespace that trusts the test certificate, nothing is sent.
    @Test func anUntrustedCertificateSendsNothing() async throws {
        let server = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: 202)
        defer { server.stop() }
        let result = try await CLITests.run(["send-test", "--config", "-", "--to", "bob@example.test", "--json"], stdin: sendgrid(server))
        let json = (try? ConfigValue.parse(json: result.stdout)) ?? .null
        #expect(json["error"]?["code"] == "tls_failed", "\(result.stdout)\(result.stderr)")
        #expect(server.requests.isEmpty)
    }

    private func directMail(_ server: ContractServer, secret: String = "aliyun-secret-789",
                            account: String = "no-reply@mail.acme.test") -> String {
        let config: ConfigValue = ["connector": "aliyun-directmail-api", "accessKeyId": "LTAI-test-id", "accessKeySecret": .string(secret),
                                   "accountName": .string(account), "fromAlias": "Acme", "region": "ap-southeast-1",
                                   "endpoint": .string(server.endpoint), "templates": Self.templates, "timeout": 60000]
        return (try? config.jsonText()) ?? "{}"
    }

    @Test func directMailAcceptsASignedRequest() async throws {
        let server = try ContractServer(vendor: "aliyun", secret: "aliyun-secret-789", status: 200,
                                        body: #"{"EnvId":"600000000001","RequestId":"2D086F6-E52D-4E4C-A4F9-8F1E0E4E2D5D"}"#)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, directMail(server))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(json["messageId"] == "600000000001")
        let request = try #require(server.requests.first)
        #expect(request["violations"] == [], "\(request)")
        let params = request["params"]
        #expect(params?["AccountName"] == "no-reply@mail.acme.test" && params?["FromAlias"] == "Acme")
        #expect(params?["ToAddress"] == "bob@example.test" && params?["RegionId"] == "ap-southeast-1")
        #expect(params?["Subject"] == "Code 271828 ✓" && params?["TextBody"]?.stringValue?.contains("271828") == true)
        #expect(!result.stdout.contains("aliyun-secret-789"))
    }

    static let directMailAnswers: [(status: Int, body: String, code: String, says: String)] = [
        (400, #"{"Code":"InvalidMailAddress.NotFound","Message":"The specified mail address is not found.","RequestId":"r1"}"#,
         "invalid_config", "InvalidMailAddress.NotFound"),
        (400, #"{"Code":"InvalidToAddress","Message":"The ToAddress is invalid.","RequestId":"r2"}"#, "invalid_request", "InvalidToAddress"),
        (400, #"{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"r3"}"#,
         "rate_limit_exceeded", "Throttling.User"),
        (500, #"{"Code":"InternalError","Message":"The request processing has failed due to some unknown error.","RequestId":"r4"}"#,
         "general", "InternalError"),
    ]

    @Test(arguments: 0..<directMailAnswers.count)
    func directMailErrorsMapWithHints(index: Int) async throws {
        let answer = Self.directMailAnswers[index]
        let server = try ContractServer(vendor: "aliyun", secret: "aliyun-secret-789", status: answer.status, body: answer.body)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, directMail(server))
        #expect(json["error"]?["code"]?.stringValue == answer.code, "\(result.stdout)\(result.stderr)")
        #expect(json["error"]?["message"]?.stringValue?.contains(answer.says) == true)
    }

    /// doctor asks DirectMail for the sender address (QueryMailAddressByParam, signed) and sends
    /// nothing: a good config passes; a wrong secret, an unknown, a frozen sender and an
    /// unverified domain each fail with their own fix.
    @Test func directMailDoctorChecksTheKeyAndTheSender() async throws {
        let server = try ContractServer(vendor: "aliyun", secret: "aliyun-secret-789", status: 200, body: #"{"EnvId":"1","RequestId":"r"}"#)
        defer { server.stop() }
        func doctor(_ config: String) async throws -> (CLITests.Result, [ConfigValue]) {
            let result = try await server.run(["doctor", "--config", "-", "--json"], stdin: config)
            return (result, (try? ConfigValue.parse(json: result.stdout))?["steps"]?.arrayValue ?? [])
        }
        let (good, goodSteps) = try await doctor(directMail(server))
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(goodSteps.map { $0["name"] } == ["https", "sender"] && goodSteps.allSatisfy { $0["status"] == "pass" }, "\(good.stdout)")

        let cases: [(config: String, step: String, says: String)] = [
            (directMail(server, secret: "wrong"), "https", "accessKeySecret"),
            (directMail(server, account: "nobody@mail.acme.test"), "sender", "is not a sender address"),
            (directMail(server, account: "frozen@mail.acme.test"), "sender", "frozen"),
            (directMail(server, account: "new@unverified.acme.test"), "sender", "not verified"),
        ]
        for (config, step, says) in cases {
            let (result, steps) = try await doctor(config)
            let failed = steps.first { $0["status"] == "fail" }
            #expect(result.status == 1 && failed?["name"]?.stringValue == step, "\(result.stdout)\(result.stderr)")
            let text = "\(failed?["detail"]?.stringValue ?? "") \(failed?["hint"]?.stringValue ?? "")"
            #expect(text.contains(says) && failed?["hint"]?.stringValue?.isEmpty == false, "\(result.stdout)")
            #expect(!result.stdout.contains("aliyun-secret-789") && !result.stdout.contains("LTAI-test-id"))
        }
        let requests = server.requests
        #expect(requests.count == 5 && requests.allSatisfy { $0["params"]?["Action"] == "QueryMailAddressByParam" }, "\(requests)")
        #expect(requests.filter { $0["violations"] != [] }.count == 1, "only the wrong secret breaks the contract")
    }

    /// A wrong secret makes a signature the server's own computation does not match.
    @Test func aWrongSecretFailsTheSignatureCheck() async throws {
        let server = try ContractServer(vendor: "aliyun", secret: "the-right-secret", status: 200, body: #"{"EnvId":"1","RequestId":"r"}"#)
        defer { server.stop() }
        let (result, json) = try await sendTest(server, directMail(server, secret: "a-wrong-secret"))
        #expect(json["error"]?["code"] == "authorization_failed", "\(result.stdout)")
        #expect(json["error"]?["message"]?.stringValue?.contains("SignatureDoesNotMatch") == true)
    }

    /// Failover across the three kinds: an SMTP server that refuses the connection, SendGrid
    /// failing with 503 (nothing accepted), then the local MTA, which takes the message.
    @Test func failoverMovesFromSMTPToTheAPIToSendmail() async throws {
        let refusing = try RefusingPort()
        let sendgrid = try ContractServer(vendor: "sendgrid", secret: "SG.test-key-123", status: 503)
        defer { sendgrid.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("failover-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = folder.appendingPathComponent("sendmail").path
        try "cat > '\(folder.path)/message'\n".write(toFile: program, atomically: true, encoding: .utf8)
        let member: [String: ConfigValue] = ["fromEmail": "Acme <no-reply@acme.test>", "templates": Self.templates]
        let config: ConfigValue = ["failover": [
            .object(member.merging(["connector": "smtp", "host": "127.0.0.1", "port": .number(Double(refusing.port)),
                                    "connectionTimeout": 5000]) { $1 }),
            .object(member.merging(["connector": "sendgrid-api", "apiKey": "SG.test-key-123",
                                    "endpoint": .string(sendgrid.endpoint), "timeout": 60000]) { $1 }),
            // /bin/sh SCRIPT: exec'ing a file just written can fail with ETXTBSY beside parallel tests.
            .object(member.merging(["connector": "sendmail", "path": "/bin/sh", "arguments": [.string(program)]]) { $1 }),
        ]]
        let (result, json) = try await sendTest(sendgrid, try config.jsonText())
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(json["failover"]?["memberIndex"] == 2 && json["failover"]?["member"] == "sendmail", "\(result.stdout)")
        #expect(json["failover"]?["hops"]?.arrayValue?.count == 2)
        #expect(sendgrid.requests.count == 1, "SendGrid was tried once")
        let message = try String(contentsOf: folder.appendingPathComponent("message"), encoding: .utf8)
        #expect(message.contains("271828"))
    }
}
