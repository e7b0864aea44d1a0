import Foundation
import Testing
@testable import smtp_connector

/// Each command's option table drives its parsing and its `--help`: every option is declared once.
@Suite struct CLIOptionTableTests {
    @Test func everyCommandsHelpListsEachOfItsOptionsWithItsDefault() async throws {
        for command in SMTPConnectorCLI.commands {
            let result = try await CLITests.run(command.name.split(separator: " ").map(String.init) + ["--help"])
            #expect(result.status == 0, "\(command.name): \(result.stderr)")
            #expect(result.stdout.hasPrefix("usage: smtp-connector \(command.name)"), "\(command.name)")
            for option in command.options {
                let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("  \(option.synopsis) ") }
                #expect(line?.contains(option.help) == true, "\(command.name) --help lacks \(option.synopsis)")
                if let value = option.defaultValue { #expect(line?.contains("(default: \(value))") == true, "\(option.name)") }
            }
            for argument in command.arguments { #expect(result.stdout.contains("  \(argument.name) "), "\(argument.name)") }
        }
        let group = try await CLITests.run(["presets", "--help"])
        #expect(group.status == 0 && group.stdout.contains("  presets show ") && group.stdout.contains(PresetsShowCommand.abstract))
        let list = try await CLITests.run(["--help"])
        for command in SMTPConnectorCLI.commands { #expect(list.stdout.contains("  \(command.name) ") && list.stdout.contains(command.abstract)) }
    }

    @Test(arguments: [
        (["validate", "--config", "a.json", "--config", "b.json"], "--config is given twice"),
        (["presets", "list", "--dir", "presets"], "unknown option --dir"),
        (["validate", "--config", "-", "--json=yes"], "--json takes no value"),
        (["presets", "show"], "missing ID"),
        (["presets"], "presets needs one of: presets list, presets show"),
        (["presets", "list", "extra"], "unexpected argument \"extra\""),
        (["doctor", "--config"], "--config needs a value (--config FILE|-)"),
        (["send-test", "--to", "a@b.c"], "missing --config FILE|-"),
        (["inbox", "wait", "--to", "a@b.c", "--dir", "/tmp", "--token-file", "t"], "--token-file goes with --console"),
    ])
    func usageErrorsNameTheOptionAndExitTwo(arguments: [String], message: String) async throws {
        let result = try await CLITests.run(arguments)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }

    @Test func valuesComeInlineOrNextAndDefaultsAreNotGiven() throws {
        let code = CLIOption.value("--code", "CODE", default: "000000", help: "c")
        let to = CLIOption.value("--to", "ADDR", required: true, help: "t")
        let json = CLIOption.flag("--json", help: "j")
        let parsed = try ParsedArguments(["--to=a@b.c", "--json"], options: [code, to, json])
        #expect(parsed.value(to) == "a@b.c")
        #expect(parsed.value(code) == "000000" && !parsed.isGiven(code))
        #expect(parsed.flag(json) && parsed.isGiven(json))
        let dashValue = try ParsedArguments(["--to", "-", "--code", "--odd"], options: [code, to])
        #expect(dashValue.value(to) == "-" && dashValue.value(code) == "--odd")
        #expect(throws: UsageError.self) { try ParsedArguments(["--json"], options: [to, json]) }
    }
}
