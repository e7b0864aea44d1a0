@testable import Console
import ConnectorKit
import DevServer
import Foundation
import Presets
import StandardConnectors
import Testing
import TestSupport

/// The JSON API, called as the page calls it, against a real DevServer (with AUTH) as the mail server.
@Suite struct ConsoleAPITests {
    /// An API over a DevServer that wants AUTH, with `saved` (if any) in a fresh config file.
    private struct Fixture {
        let api: ConsoleAPI
        let mailServer: DevServer
        let file: String

        /// `savesConfig`: the config file holds ``config(password:)`` before the console starts.
        init(savesConfig: Bool = false, inbox: Bool = true) throws {
            mailServer = try DevServer.started(users: ["app": "S3cret-pass!"])
            file = NSTemporaryDirectory() + "console-api-\(UUID().uuidString).json"
            if savesConfig { try Self.config(mailServer).jsonText().write(toFile: file, atomically: true, encoding: .utf8) }
            var presets = PresetCatalog.standard
            presets.add(DevServerPreset.make(for: mailServer))
            api = ConsoleAPI(registry: .standard(presets: presets), presets: presets,
                             store: try ConfigStore(file: file, presets: presets), devServer: inbox ? mailServer : nil, token: "t")
        }

        func config(password: String = "S3cret-pass!") -> ConfigValue { Self.config(mailServer, password: password) }

        static func config(_ mailServer: DevServer, password: String = "S3cret-pass!") -> ConfigValue {
            ["host": "127.0.0.1", "port": .number(Double(mailServer.port)), "fromEmail": "App <app@example.test>",
             "requireTLS": true, "tls": ["ca": .string(mailServer.certificatePEM), "servername": "localhost"],
             "auth": ["user": "app", "pass": .string(password)],
             "templates": .array(Self.templates)]
        }

        /// The four usage types Logto requires, Generic in HTML.
        static let templates: [ConfigValue] = ["Generic", "Register", "SignIn", "ForgotPassword"].map { type in
            ["usageType": .string(type), "contentType": type == "Generic" ? "text/html" : "text/plain",
             "subject": "Code {{code}}", "content": type == "Generic" ? "<p>Your code is <b>{{code}}</b></p>" : "Code {{code}}"]
        }

        func call(_ method: String, _ path: String, _ body: ConfigValue? = nil) async throws -> (Int, ConfigValue, HTTPResponse) {
            let text = try body.map { try $0.jsonText() } ?? ""
            let request = HTTPRequest(method: method, path: path, query: [:], headers: HTTPHeaders(), body: Array(text.utf8), closesConnection: false)
            let response = await api.handle(request)
            let value = (try? ConfigValue.parse(json: String(decoding: response.body, as: UTF8.self))) ?? .null
            return (response.status, value, response)
        }

        func cleanUp() {
            mailServer.stop()
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    @Test func stateNeverCarriesASecretAndAMaskedFieldKeepsTheStoredValue() async throws {
        let reloaded = try Fixture(savesConfig: true)
        defer { reloaded.cleanUp() }
        let (status, state, response) = try await reloaded.call("GET", "/api/state")
        #expect(status == 200)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("S3cret-pass!"))
        #expect(state["config"]?.value(atPath: "auth.pass") == .string(ConfidentialValues.mask))
        // The page sends the mask back unchanged: the stored password is used, and the send works.
        let draft: ConfigValue = ["connector": "smtp", "config": state["config"]!, "test": ["to": "ada@example.test", "code": "424242"]]
        let (sent, receipt, sentResponse) = try await reloaded.call("POST", "/api/send-test", draft)
        #expect(sent == 200, "\(receipt)")
        #expect(receipt["response"]?.stringValue?.hasPrefix("250") == true)
        #expect(!String(decoding: sentResponse.body, as: UTF8.self).contains("S3cret-pass!"))
        #expect(reloaded.mailServer.messages.first?.authenticatedUser == "app")
    }

    static let destinationChanges: [(key: String, value: ConfigValue)] = [
        ("host", "localhost"), ("port", 2525), ("secure", true), ("requireTLS", false), ("allowInsecureAuth", true),
        ("tls.rejectUnauthorized", false), ("tls.servername", "evil.example"), ("auth.accessUrl", "https://evil.example/token"),
    ]

    /// A stored password is put back only where it was stored for: a draft that keeps the mask but
    /// changes where it goes (host, port, TLS, the token endpoint) gets 422 naming the field to
    /// type again, and the other server never sees the password.
    @Test(arguments: 0..<destinationChanges.count)
    func storedSecretsDoNotFollowAChangedDestination(index: Int) async throws {
        let (key, value) = Self.destinationChanges[index]
        let reloaded = try Fixture(savesConfig: true)
        defer { reloaded.cleanUp() }
        let (_, state, _) = try await reloaded.call("GET", "/api/state")
        let masked = try #require(state["config"])
        let changed = masked.setting(value, atPath: key)
        let (status, body, response) = try await reloaded.call("POST", "/api/send-test",
                                                              ["connector": "smtp", "config": changed, "test": ["to": "ada@example.test"]])
        #expect(status == 422, "\(body)")
        let issue = body["error"]?["issues"]?.arrayValue?.first { $0["path"] == "auth.pass" }
        #expect(issue?["message"]?.stringValue?.contains("\(key) changed") == true, "\(body)")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("S3cret-pass!"))
        #expect(reloaded.mailServer.messages.isEmpty)
        // Saving is refused the same way, and the stored file keeps the old destination.
        let (saved, _, _) = try await reloaded.call("POST", "/api/config/save", ["connector": "smtp", "config": changed])
        #expect(saved == 422)
    }

    /// Another connector id is another destination too.
    @Test func storedSecretsDoNotFollowAnotherConnector() async throws {
        let reloaded = try Fixture(savesConfig: true)
        defer { reloaded.cleanUp() }
        let (_, state, _) = try await reloaded.call("GET", "/api/state")
        let (_, body, _) = try await reloaded.call("POST", "/api/validate", ["connector": "sendgrid", "config": state["config"]!])
        #expect(body["issues"]?.arrayValue?.contains { $0["path"] == "auth.pass" && $0["message"]?.stringValue?.contains("connector") == true } == true,
                "\(body)")
    }

    @Test func aMaskWithNothingStoredIsAProblemAtItsField() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let config = fixture.config(password: ConfidentialValues.mask)
        let (status, result, _) = try await fixture.call("POST", "/api/validate", ["connector": "smtp", "config": config])
        #expect(status == 200)
        #expect(result["valid"] == false)
        let issue = try #require(result["issues"]?.arrayValue?.first)
        #expect(issue["path"] == "auth.pass")
        #expect(issue["field"] == "auth.pass")
        #expect(issue["message"]?.stringValue?.contains("masked") == true)
    }

    @Test func aSecretCopiedToAnotherKeyIsStillRedacted() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        // A password pasted into fromEmail by mistake would come back quoted in fromEmail's issue.
        let draft: ConfigValue = ["connector": "gmail", "config": ["auth": ["user": "ops@gmail.com", "pass": "postmaster-secret-name"],
                                                                     "fromEmail": "postmaster-secret-name"]]
        // Doubled and trailing slashes route to the same handlers, so they must be redacted too.
        for path in ["/api/validate", "/api/resolve", "/api/doctor", "/api/preview", "//api/resolve", "/api//resolve/", "//api//preview"] {
            let (_, _, response) = try await fixture.call("POST", path, draft)
            #expect(!String(decoding: response.body, as: UTF8.self).contains("postmaster-secret-name"), "\(path)")
        }
        let (_, resolved, _) = try await fixture.call("POST", "/api/resolve", draft)
        #expect(resolved["config"]?["fromEmail"] == .string(ConfidentialValues.mask))
        #expect(resolved["config"]?["auth"]?["user"] == "ops@gmail.com", "the account is shown (issue 26 item 8)")
    }

    @Test func masksInsideArraysAndDottedKeysFindTheirStoredValues() async throws {
        let fixture = try Fixture(savesConfig: true)
        defer { fixture.cleanUp() }
        let stored = fixture.api.store.current.config
        let withArray = stored.setting(["api_token_one", "api_token_two"], atPath: "auth.tokens")
        let store = fixture.api.store
        _ = try store.save(withArray, draft: ConfigStore.Stored(connector: "smtp", config: withArray))
        let (unmasked, issues) = store.unmasking(withArray.maskingConfidentialValues, connector: "smtp")
        #expect(issues.isEmpty)
        #expect(unmasked == withArray)
        let (_, missing) = store.unmasking(withArray.maskingConfidentialValues.setting(["********", "********", "********"], atPath: "auth.tokens"),
                                           connector: "smtp")
        #expect(missing.map(\.path) == ["auth.tokens[2]"])
    }

    @Test func validateNamesTheFieldAndThePresetAValueCameFrom() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        // SendGrid's form shows apiKey; a bad one is marked there, and the port's source is the preset.
        let (_, sendgrid, _) = try await fixture.call("POST", "/api/validate", ["connector": "sendgrid", "config": ["fromEmail": "a@b.test", "apiKey": " "]])
        let issues = try #require(sendgrid["issues"]?.arrayValue)
        #expect(issues.contains { $0["field"] == "apiKey" }, "\(issues)")
        #expect(sendgrid["sources"]?["host"] == "preset sendgrid")
        // A template problem belongs to the templates field.
        let (_, smtp, _) = try await fixture.call("POST", "/api/validate", [
            "connector": "smtp",
            "config": fixture.config().setting([["usageType": "Nope", "subject": "s", "content": "c"]], atPath: "templates"),
        ])
        let templateIssue = try #require(smtp["issues"]?.arrayValue?.first { $0["path"]?.stringValue?.hasPrefix("templates[0]") == true })
        #expect(templateIssue["field"] == "templates")
    }

    @Test func aFailedTestSendReportsCodePhaseReplyAndHint() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (status, body, response) = try await fixture.call("POST", "/api/send-test", [
            "connector": "smtp", "config": fixture.config(password: "Wr0ng-Pass"), "test": ["to": "ada@example.test"],
        ])
        #expect(status == 502)
        let error = try #require(body["error"])
        #expect(error["code"] == "authorization_failed")
        #expect(error["phase"] == "auth")
        #expect(error["reply"]?["code"] == 535)
        #expect(error["hint"]?.stringValue?.isEmpty == false)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("Wr0ng-Pass"))
    }

    @Test func saveWritesExactlyWhatTheTestUsedWithMode0600AndExportMasksSecrets() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let draft: ConfigValue = ["connector": "gmail", "config": ["auth": ["user": "ops@example.test", "pass": "app-pass-1234"]]]
        let (status, saved, _) = try await fixture.call("POST", "/api/config/save", draft)
        #expect(status == 200, "\(saved)")
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let written = try ConfigValue.parse(json: Data(contentsOf: URL(fileURLWithPath: fixture.file)))
        let effective = try fixture.api.effective(ConsoleDraft(connector: "gmail", config: draft["config"]!))
        #expect(written == effective.config)
        #expect(written["preset"] == "gmail")
        let (_, _, exported) = try await fixture.call("POST", "/api/config/export", draft)
        let text = String(decoding: exported.body, as: UTF8.self)
        #expect(!text.contains("app-pass-1234") && text.contains(ConfidentialValues.mask))
        #expect(exported.extraHeaders.contains { $0.0 == "Content-Disposition" })
    }

    /// A connector other than smtp is saved with a top-level "connector" key, so the CLI reads the
    /// file as that connector, and the console reads it back as that connector too.
    @Test func anotherConnectorIsSavedUnderItsConnectorKeyAndReadBack() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let config: ConfigValue = ["path": "/usr/sbin/sendmail", "fromEmail": "App <app@example.test>", "templates": .array(Fixture.templates)]
        let (valid, checked, _) = try await fixture.call("POST", "/api/validate", ["connector": "sendmail", "config": config])
        #expect(valid == 200 && checked["valid"] == true, "\(checked)")
        let (status, saved, _) = try await fixture.call("POST", "/api/config/save", ["connector": "sendmail", "config": config])
        #expect(status == 200, "\(saved)")
        let written = try ConfigValue.parse(json: Data(contentsOf: URL(fileURLWithPath: fixture.file)))
        #expect(written["connector"] == "sendmail" && written["path"] == "/usr/sbin/sendmail")
        #expect(try ConnectorOperations().validate(written).isValid, "the CLI reads the file as the sendmail connector")
        let reread = try ConfigStore(file: fixture.file, presets: .standard).current
        #expect(reread.connector == "sendmail" && reread.config["connector"] == nil)
    }

    @Test func previewSaysWhichTemplateEachUsageTypeAndLocaleGetsAndWhy() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let french: ConfigValue = ["usageType": "SignIn", "locale": "fr", "contentType": "text/plain", "subject": "Bonjour {{code}}", "content": "c"]
        let config = fixture.config().setting(.array(Fixture.templates + [french]), atPath: "templates")
        let (status, body, _) = try await fixture.call("POST", "/api/preview", ["connector": "smtp", "config": config, "test": ["locale": "fr-CA", "code": "777"]])
        #expect(status == 200, "\(body)")
        let rows = try #require(body["previews"]?.arrayValue)
        #expect(rows.count == UsageType.allCases.count * 3)  // no locale, fr, fr-CA
        let signInFrenchCanada = try #require(rows.first { $0["usageType"] == "SignIn" && $0["locale"] == "fr-CA" })
        #expect(signInFrenchCanada["template"]?["index"] == 4)
        #expect(signInFrenchCanada["reason"]?.stringValue?.contains("same language") == true)
        #expect(signInFrenchCanada["subject"] == "Bonjour 777")
        let permission = try #require(rows.first { $0["usageType"] == "UserPermissionValidation" && $0["locale"] == .null })
        #expect(permission["template"]?["index"] == 0)
        #expect(permission["reason"]?.stringValue?.contains("Generic") == true)
    }

    @Test func theInboxListsReadsChecksAndDeletes() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (sent, _, _) = try await fixture.call("POST", "/api/send-test", ["connector": "smtp", "config": fixture.config(), "test": ["to": "ada@example.test", "code": "135790"]])
        #expect(sent == 200)
        let (_, list, _) = try await fixture.call("GET", "/api/messages")
        let summary = try #require(list["messages"]?.arrayValue?.first)
        #expect(summary["subject"] == "Code 135790" && summary["to"] == ["ada@example.test"])
        let id = Int(try #require(summary["id"]?.numberValue))
        let (_, message, _) = try await fixture.call("GET", "/api/messages/\(id)")
        let transcript = message["transcript"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(transcript.contains { $0.hasPrefix("C: AUTH") })
        #expect(!transcript.joined().contains("S3cret-pass!"))
        #expect(!transcript.joined().contains(Data("\u{0}app\u{0}S3cret-pass!".utf8).base64EncodedString()))
        let code = try #require(message["checks"]?.arrayValue?.first { $0["name"] == "code" })
        #expect(code["status"] == "pass" && code["detail"]?.stringValue?.contains("135790") == true)
        let (_, _, html) = try await fixture.call("GET", "/inbox/\(id)/html")
        #expect(html.contentType.hasPrefix("text/html"))
        #expect(html.contentSecurityPolicy.hasPrefix("sandbox;") && html.contentSecurityPolicy.contains("default-src 'none'"))
        let (deleted, _, _) = try await fixture.call("DELETE", "/api/messages/\(id)")
        #expect(deleted == 200)
        let (missing, _, _) = try await fixture.call("GET", "/api/messages/\(id)")
        #expect(missing == 404)
    }

    @Test func badRequestsGetClearJSONErrors() async throws {
        let fixture = try Fixture(inbox: false)
        defer { fixture.cleanUp() }
        let malformed = HTTPRequest(method: "POST", path: "/api/validate", query: [:], headers: HTTPHeaders(), body: Array("{\"connector\":".utf8), closesConnection: false)
        let response = await fixture.api.handle(malformed)
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("not valid JSON"))
        #expect(try await fixture.call("POST", "/api/validate", ["connector": "nope", "config": [:]]).0 == 404)
        #expect(try await fixture.call("POST", "/api/validate", ["config": [:]]).0 == 400)
        #expect(try await fixture.call("GET", "/api/validate").0 == 405)
        #expect(try await fixture.call("GET", "/api/nothing").0 == 404)
        let (status, body, _) = try await fixture.call("GET", "/api/messages")
        #expect(status == 409 && body["error"]?["hint"]?.stringValue?.contains("--dev-server") == true)
    }

    @Test func thePageAndItsAssetsCarryNoInlineScript() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (status, _, page) = try await fixture.call("GET", "/")
        #expect(status == 200)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("/assets/form.js?token=t"))
        #expect(!html.contains("<script>") && !html.contains("<style"))
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil)
        #expect(page.contentSecurityPolicy.contains("script-src 'self'") && !page.contentSecurityPolicy.contains("unsafe"))
        for asset in ["api.js", "form.js", "actions.js", "inbox.js", "console.css"] {
            #expect(try await fixture.call("GET", "/assets/\(asset)").0 == 200)
        }
        #expect(try await fixture.call("GET", "/assets/secret.txt").0 == 404)
        // ES modules that share nothing through window; their imports carry this run's token.
        for script in ["api.js", "form.js", "actions.js", "inbox.js"] {
            #expect(html.contains(#"<script type="module" src="/assets/\#(script)?token=t"></script>"#), "\(script)")
            let text = String(decoding: try await fixture.call("GET", "/assets/\(script)").2.body, as: UTF8.self)
            #expect(!text.contains("window."), "\(script) uses window")
            #expect(!text.contains("__TOKEN__"))
            if script != "api.js" { #expect(text.contains(#"from "./api.js?token=t""#), "\(script)") }
        }
    }

    /// One table answers every route, and 404 and 405 come from it: a path with a route for another
    /// method is 405 naming the methods it takes. Docs/Console.md lists each route.
    @Test func everyRouteIsInTheTableAndInTheDocs() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let (status, _, response) = try await fixture.call("PUT", "/api/messages/3")
        #expect(status == 405)
        #expect(String(decoding: response.body, as: UTF8.self).contains("It takes GET, DELETE"))
        let docs = try String(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("Docs/Console.md"), encoding: .utf8)
        for route in ConsoleAPI.routes where route.pattern.hasPrefix("/api") {
            let documented = route.pattern.replacingOccurrences(of: "*", with: "ID")
            #expect(docs.contains("`\(route.method) \(documented)`"), "Docs/Console.md lacks `\(route.method) \(documented)`")
        }
    }
}
