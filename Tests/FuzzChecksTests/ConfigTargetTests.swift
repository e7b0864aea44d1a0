import ConnectorKit
@testable import FuzzChecks
import Testing

/// The config target's idea of a confidential value is the library's own (``ConfidentialValues``):
/// judged by every key on the path, so `auth.user` is public and `auth.pass` is not. CI's fuzz run
/// once stopped on a derived sender that quoted `auth.user`, because the check judged each key
/// alone and took everything under `auth` for a secret.
@Suite struct ConfigTargetTests {
    static let config: ConfigValue = [
        "auth": ["user": "me@example.com", "pass": "app-password-1234", "type": "login"],
        "dkim": ["keySelector": "mail2026", "privateKey": "-----BEGIN PRIVATE KEY-----"],
        "apiKey": "SG.abcdefgh",
        "customHeaders": ["X-Api-Key": "k-12345678", "X-Campaign": "codes"],
        "failover": [["auth": ["user": "ops@example.com", "pass": "second-password"]]],
        "fromEmail": "me@example.com",
    ]

    @Test func confidentialStringsAreTheOnesTheLibraryMasks() {
        let found = Set(ConfigTarget.confidentialStrings(in: Self.config).map(\.path))
        #expect(found == ["auth.pass", "dkim.keySelector", "dkim.privateKey", "apiKey", "customHeaders.X-Api-Key",
                          "failover[0].auth.pass"])
        // The same set as the library's masking leaves masked.
        let masked = Self.config.maskingConfidentialValues
        #expect(masked["auth"]?["user"] == "me@example.com" && masked["auth"]?["pass"] == .string(ConfidentialValues.mask))
    }

    @Test func replacingTouchesOnlyConfidentialStrings() {
        // "me@example.com" is both auth.user (public) and fromEmail: neither is replaced.
        let unchanged = ConfigTarget.replacing("me@example.com", with: "##############", in: Self.config)
        #expect(unchanged == Self.config)
        let replaced = ConfigTarget.replacing("app-password-1234", with: "#################", in: Self.config)
        #expect(replaced["auth"]?["pass"] == "#################" && replaced["auth"]?["user"] == "me@example.com")
    }

    /// The input CI's fuzz run stopped on: a Gmail preset config whose sender, derived from an
    /// invalid `auth.user`, is quoted in its issue. That quote is allowed (the user is public).
    @Test func aQuotedPublicAuthUserIsNoLeak() throws {
        let input = Array("{\"preset\": \"gmail\", \"auth\": {\"user\": \"me@gmail*com\", \"pass\": \"app-password-1234\"}}".utf8)
        try ConfigTarget.check([0] + input)
    }
}
