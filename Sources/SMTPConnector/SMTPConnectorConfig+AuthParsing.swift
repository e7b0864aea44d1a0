import ConnectorKit
import Foundation
import SMTP
import SMTPWire

/// Reading `auth`. Every value under it is confidential, so no message here quotes one.
extension SMTPConnectorConfig {
    static func readAuth(_ reader: inout ConfigReader, hostProvidesTokens: Bool) -> Auth? {
        let type = reader.string("type")?.lowercased()
        let user = reader.string("user")
        let password = reader.string("pass")
        let methodName = reader.string("method")?.uppercased()
        let method = methodName.flatMap(SASLMechanism.init(rawValue:))
        let accessToken = reader.string("accessToken")
        if methodName != nil, method == nil {
            let supported = SASLMechanism.allCases.map(\.rawValue)
            reader.report("method", "is not a supported mechanism; expected one of \(supported.joined(separator: ", "))")
        }
        let oauth = readOAuth2(&reader, hasAccessToken: accessToken != nil)
        let isOAuth2 = type == "oauth2" || accessToken != nil || method == .xoauth2 || oauth.grant != nil
        if let type, type != "login", type != "oauth2" {
            reader.report("type", "expected \"login\" or \"oauth2\"")
        }
        if isOAuth2 {
            if user == nil {
                reader.report("user", "is required for OAuth2: the mailbox the token belongs to")
            }
            if let methodName, methodName != SASLMechanism.xoauth2.rawValue {
                reader.report("method", "must be XOAUTH2 (or absent) with OAuth2 credentials")
            }
            if accessToken == nil && oauth.grant == nil && !hostProvidesTokens && oauth.incompleteKey == nil {
                reader.report("accessToken", "is required for OAuth2",
                              hint: "Give auth.accessToken; or clientId, clientSecret and refreshToken; or serviceClient and privateKey; or let the host app supply tokens with SMTPConnectorFactory(tokenProvider:).")
            }
        } else if (user == nil) != (password == nil) {
            reader.report(user == nil ? "user" : "pass", "is required when auth.\(user == nil ? "pass" : "user") is set")
        }
        guard user != nil || password != nil || methodName != nil || accessToken != nil || isOAuth2 else { return nil }
        let keepsSettings = oauth.grant != nil || oauth.expires != nil
        return Auth(user: user, password: isOAuth2 ? nil : password, mechanism: method,
                    accessToken: accessToken, isOAuth2: isOAuth2, oauth: keepsSettings ? oauth.settings : nil)
    }

    /// nodemailer's OAuth2 keys: `expires` (ms since 1970), `accessUrl`, and the refresh grant
    /// (`clientId`, `clientSecret`, `refreshToken`) or a service account (`serviceClient`, `privateKey`).
    ///
    /// As in Logto and nodemailer, `clientId` and `clientSecret` with an `accessToken` but no
    /// `refreshToken` are valid: the token is used until it expires, and a send after that fails
    /// naming `auth.refreshToken` as the fix.
    private static func readOAuth2(_ reader: inout ConfigReader, hasAccessToken: Bool)
        -> (settings: Auth.OAuth2, grant: OAuth2TokenSource.Grant?, expires: Date?, incompleteKey: String?) {
        let expires = reader.number("expires").map { Date(timeIntervalSince1970: $0 / 1000) }
        var endpoint = URL(string: Auth.OAuth2.googleTokenEndpoint)!
        if let text = reader.string("accessUrl") {
            if let url = URL(string: text), let host = url.host,
               url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "::1", "localhost"].contains(host)) {
                endpoint = url
            } else {
                reader.report("accessUrl", "must be an https URL (http only for a loopback test server)")
            }
        }
        let clientId = reader.string("clientId"), clientSecret = reader.string("clientSecret")
        let refreshToken = reader.string("refreshToken")
        let serviceClient = reader.string("serviceClient"), privateKey = reader.string("privateKey")
        var grant: OAuth2TokenSource.Grant?
        var incomplete: String?
        let refreshKeys = [("clientId", clientId), ("clientSecret", clientSecret), ("refreshToken", refreshToken)]
        let given = refreshKeys.filter { $0.1 != nil }
        if let clientId, let clientSecret, let refreshToken {
            grant = .refreshToken(clientId: clientId, clientSecret: clientSecret, refreshToken: refreshToken)
        } else if !given.isEmpty, refreshToken != nil || !hasAccessToken, let missing = refreshKeys.first(where: { $0.1 == nil }) {
            incomplete = missing.0
            reader.report(missing.0, "is required with \(given.map { "auth.\($0.0)" }.joined(separator: " and "))",
                          hint: "Refreshing a token takes clientId, clientSecret and refreshToken together; without refreshToken, give accessToken.")
        } else if serviceClient != nil || privateKey != nil {
            if let serviceClient, let privateKey {
                if let problem = JWT.validateKey(privateKey) {
                    incomplete = "privateKey"
                    reader.report("privateKey", problem)
                } else {
                    grant = .serviceAccount(serviceClient: serviceClient, privateKeyPEM: privateKey, scope: "https://mail.google.com/")
                }
            } else {
                incomplete = serviceClient == nil ? "serviceClient" : "privateKey"
                reader.report(incomplete!, "is required for a service account (serviceClient and privateKey together)")
            }
        }
        return (Auth.OAuth2(grant: grant, expires: expires, endpoint: endpoint), grant, expires, incomplete)
    }
}
