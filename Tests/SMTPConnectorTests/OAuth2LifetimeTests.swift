import ConnectorKit
import DevServer
import Foundation
import Testing
@testable import SMTPConnector

/// Token lifetimes the endpoint states as a string or not at all, and Logto's OAuth2 shape with
/// an access token but no refresh token.
@Suite struct OAuth2LifetimeTests {
    private let request = EmailRequest(to: "a@example.org", usageType: .generic, payload: ["code": "1"])

    private func connector(_ server: DevServer, auth: ConfigValue) throws -> any EmailConnector {
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["auth"] = auth
        return try SMTPConnectorFactory().makeConnector(config: .object(config))
    }

    /// Three sends on fresh connections (no pool): the endpoint is asked once, whatever form its
    /// `expires_in` takes; without a usable lifetime the token would be fetched for every connection.
    @Test(arguments: [#""expires_in":"3599""#, #""expires_in":3599"#, #""token_type":"Bearer""#])
    func aTokenIsReusedWhateverFormItsLifetimeTakes(_ lifetime: String) async throws {
        let endpoint = try TokenEndpoint(body: #"{"access_token":"fresh-token",\#(lifetime)}"#)
        defer { endpoint.stop() }
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "fresh-token"] }
        defer { server.stop() }
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test", "clientId": "c",
                                                     "clientSecret": "s", "refreshToken": "r", "accessUrl": .string(endpoint.url)])
        for _ in 0..<3 { _ = try await connector.send(request) }
        #expect(server.messages.count == 3)
        #expect(endpoint.requests.count == 1)
    }

    @Test(arguments: [ConfigValue.string("3600"), .number(3600), .string(" 120 "), .null, .string("soon"), .number(-5), .bool(true)])
    func lifetimesAreReadFromNumbersAndNumericStrings(_ value: ConfigValue) {
        let expected: Double = value == .string(" 120 ") ? 120 : value == .number(-5) ? 0 : 3600
        #expect(OAuth2TokenSource.lifetime(value == .null ? nil : value) == expected)
    }

    /// Logto and nodemailer accept clientId + clientSecret + accessToken without refreshToken.
    @Test func anAccessTokenWithoutRefreshTokenIsValidAndUsed() async throws {
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "logto-token"] }
        defer { server.stop() }
        let auth: ConfigValue = ["type": "oauth2", "user": "me@example.test", "clientId": "c", "clientSecret": "s",
                                 "accessToken": "logto-token"]
        var config = ContentAndDKIMTests.config(port: server.port, caPEM: server.certificatePEM).objectValue!
        config["auth"] = auth
        #expect(SMTPConnectorConfig.validate(.object(config)).isEmpty)
        _ = try await connector(server, auth: auth).send(request)
        #expect(server.messages.first?.authenticatedUser == "me@example.test")
    }

    @Test func onceThatTokenExpiresTheErrorNamesRefreshToken() async throws {
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "logto-token"] }
        defer { server.stop() }
        let expired = (Date().timeIntervalSince1970 - 10) * 1000
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test", "clientId": "c", "clientSecret": "s",
                                                     "accessToken": "logto-token", "expires": .number(expired)])
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error.code == .authorizationFailed)
        #expect(error.phase == .auth)
        #expect(error.message.contains("expired"))
        #expect(error.hint?.contains("auth.refreshToken") == true)
        #expect(!"\(error)".contains("logto-token"))
        #expect(server.messages.isEmpty)
    }

    @Test func aTokenTheServerRefusesPointsAtRefreshToken() async throws {
        let server = try DevServer.started(users: [:]) { $0.oauthTokens = ["me@example.test": "current"] }
        defer { server.stop() }
        let connector = try connector(server, auth: ["type": "oauth2", "user": "me@example.test", "clientId": "c", "clientSecret": "s",
                                                     "accessToken": "stale"])
        let error = try await #require(throws: ConnectorError.self) { try await connector.send(request) }
        #expect(error.code == .authorizationFailed)
        #expect(error.hint?.contains("auth.refreshToken") == true)
    }

    @Test func aRefreshTokenStillNeedsClientIdAndSecret() {
        var config = ContentAndDKIMTests.config(port: 587, caPEM: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----").objectValue!
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "accessToken": "t", "refreshToken": "r", "clientId": "c"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.clientSecret"])
        config["auth"] = ["type": "oauth2", "user": "me@example.test", "clientId": "c", "clientSecret": "s"]
        #expect(SMTPConnectorConfig.validate(.object(config)).map(\.path) == ["auth.refreshToken"])
    }
}
