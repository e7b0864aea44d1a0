import Foundation
import Testing
import TestSupport

/// No command prints a confidential value, in text or `--json`, whether the config is valid or not,
/// including values under keys the connector does not know (`auth.password`).
@Suite struct SecretOutputTests {
    static let canary = "CANARYz9k2w"

    static let configs: [String] = [
        // An unknown key under auth, a known secret, and secret-named keys elsewhere.
        #"{"preset":"gmail","auth":{"user":"u@gmail.com","pass":"\#(canary)","password":"\#(canary)"},"fromEmail":"a@gmail.com","customHeaders":{"X-Api-Key":"\#(canary)"},"apiToken":"\#(canary)"}"#,
        // A DKIM key pasted without its BEGIN line, and a bad selector.
        #"{"preset":"gmail","auth":{"user":"u@gmail.com","pass":"p"},"fromEmail":"a@gmail.com","dkim":{"domainName":"example.com","keySelector":"\#(canary)!","privateKey":"\#(String(repeating: canary, count: 10))"}}"#,
        // Wrong types and values under auth's secrets.
        #"{"preset":"gmail","auth":{"user":"u@gmail.com","pass":["\#(canary)"],"clientSecret":"\#(canary)","refreshToken":7},"fromEmail":"a@gmail.com"}"#,
    ]

    static let commands: [[String]] = [
        ["validate", "--config", "-"], ["validate", "--config", "-", "--json"],
        ["presets", "show", "gmail", "--config", "-"], ["presets", "show", "gmail", "--config", "-", "--json"],
        ["send-test", "--config", "-", "--to", "a@example.test"], ["send-test", "--config", "-", "--to", "a@example.test", "--json"],
    ]

    @Test(arguments: 0..<3)
    func noCommandPrintsAConfidentialValue(_ index: Int) async throws {
        for command in Self.commands {
            let result = try await CLITests.run(command, stdin: Self.configs[index])
            #expect(!(result.stdout + result.stderr).contains(Self.canary),
                    "\(command.joined(separator: " ")) printed it:\n\(result.stdout)\(result.stderr)")
            // The output is not empty: the command ran and reported something.
            #expect(!(result.stdout + result.stderr).isEmpty)
        }
    }

    @Test func validatePrintsTheMaskWhereAnUnknownSecretWas() async throws {
        let result = try await CLITests.run(["validate", "--config", "-"], stdin: Self.configs[0])
        #expect(result.stdout.contains("auth.password"))
        #expect(result.stdout.contains("********"))
        #expect(result.status == 1)  // auth.password is not a known option
    }
}
