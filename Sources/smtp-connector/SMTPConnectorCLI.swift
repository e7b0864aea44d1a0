import Foundation

/// `smtp-connector`: the command-line face of the SMTP connector (see DESIGN.md's CLI contract).
///
/// Exit codes: 0 success, 1 failure (with a clear message, or `{"error": ...}` with `--json`),
/// 2 usage error.
@main
struct SMTPConnectorCLI {
    static let commands: [any CLICommand.Type] = [DemoCommand.self, SendTestCommand.self, ValidateCommand.self, DoctorCommand.self, PresetsCommand.self, InboxCommand.self, InboxWaitCommand.self, BenchCommand.self, ConsoleCommand.self]

    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard var name = arguments.first, !["-h", "--help", "help"].contains(name) else {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        arguments.removeFirst()
        // `inbox wait` is a command of its own.
        if name == "inbox", arguments.first == "wait" {
            name = "inbox wait"
            arguments.removeFirst()
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            Output.error("unknown command \"\(name)\"\n\n\(usage)")
            exit(2)
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            print(command.usage)
            exit(0)
        }
        do {
            var parsed = try ParsedArguments(arguments, options: command.options, flags: command.flags)
            let instance = try command.init(arguments: &parsed)
            try parsed.finish()
            exit(await instance.run())
        } catch let error as UsageError {
            Output.error("\(error.message)\n\nusage: \(command.usage)")
            exit(2)
        } catch {
            Output.error("\(error)")
            exit(1)
        }
    }

    static var usage: String {
        """
        smtp-connector: send verification, password-reset and invitation emails over SMTP.

        Commands:
        \(commands.map { "  " + $0.usage.replacingOccurrences(of: "\n", with: "\n  ") }.joined(separator: "\n"))

        Exit codes: 0 success, 1 failure, 2 usage error. Add --help after a command for its options.
        """
    }
}

/// One subcommand: its name, its options, and how it runs.
protocol CLICommand: Sendable {
    /// The word after `smtp-connector`.
    static var name: String { get }
    /// One line per form, shown in help.
    static var usage: String { get }
    /// Options that take a value.
    static var options: Set<String> { get }
    /// Options that take none.
    static var flags: Set<String> { get }
    /// Reads options; throws ``UsageError`` for a missing or malformed one.
    init(arguments: inout ParsedArguments) throws
    /// Runs; returns the exit code.
    func run() async -> Int32
}
