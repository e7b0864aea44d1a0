import Testing
@testable import ConnectorKit

@Suite struct ConfidentialValuesTests {
    @Test(arguments: ["auth.clientSecret", "auth.password", "auth.refreshToken", "auth.clientId", "dkim.keySelector", "dkim.privateKey", "apiKey", "serverToken",
                      "customHeaders.X-Api-Key", "failover[1].auth.pass", "oauth.clientSecret", "PASSWORD", "tls.passphrase"])
    func confidential(_ path: String) {
        #expect(ConfidentialValues.isConfidential(path: path))
    }

    /// `auth.user` and its like say who signs in and how, never with what (issue 26 item 8).
    @Test(arguments: ["host", "port", "fromEmail", "tls.ca", "tls.servername", "templates[0].subject", "customHeaders.X-Campaign", "preset",
                      "auth.user", "auth.type", "auth.method", "failover[0].auth.user"])
    func notConfidential(_ path: String) {
        #expect(!ConfidentialValues.isConfidential(path: path))
    }

    @Test func maskingKeepsTheShapeAndHidesEveryConfidentialLeaf() {
        let config: ConfigValue = [
            "host": "smtp.example.com",
            "auth": ["user": "me", "password": "p", "nested": ["x": 1], "list": ["a", "b"]],
            "customHeaders": ["X-Api-Key": "k", "X-Campaign": "c"],
            "members": [["apiKey": "k2", "host": "h"]],
            "dkim": ["domainName": "example.com", "headerFieldNames": .null],
            "aliases": [["from": "apiKey", "set": ["auth.user": "apikey"]]],
        ]
        let masked = config.maskingConfidentialValues
        #expect(masked["host"] == "smtp.example.com")
        #expect(masked["auth"] == ["user": "me", "password": "********", "nested": ["x": "********"], "list": ["********", "********"]])
        #expect(masked["customHeaders"] == ["X-Api-Key": "********", "X-Campaign": "c"])
        #expect(masked["members"] == [["apiKey": "********", "host": "h"]])
        #expect(masked["dkim"] == ["domainName": "********", "headerFieldNames": .null])
        #expect(masked["aliases"] == [["from": "apiKey", "set": ["auth.user": "apikey"]]])
    }
}
