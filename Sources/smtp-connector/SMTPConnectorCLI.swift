import Foundation

/// `smtp-connector`: the command-line face of the connectors (see DESIGN.md's CLI contract).
///
/// Exit codes: 0 success, 1 failure (with a clear message, or `{"error": ...}` with `--json`),
/// 2 usage error.
@main
struct SMTPConnectorCLI {
    static let commands: [any CLICommand.Type] = [
        DemoCommand.self, SendTestCommand.self, ValidateCommand.self, DoctorCommand.self, PresetsListCommand.self,
        PresetsShowCommand.self, InboxCommand.self, InboxWaitCommand.self, BenchCommand.self, ConsoleCommand.self,
    ]

    static func main() async {
        let words = Array(CommandLine.arguments.dropFirst())
        guard let first = words.first, !["-h", "--help", "help"].contains(first) else {
            print(usage)
            exit(words.isEmpty ? 2 : 0)
        }
        guard let command = command(for: words) else {
            // A group's word alone (`presets`): its commands; with --help that is the answer asked for.
            let group = commands.filter { $0.name.hasPrefix(first + " ") }
            if !group.isEmpty, words.dropFirst().first.map(["-h", "--help"].contains) == true {
                print("\(first) commands:\n\(list(group))")
                exit(0)
            }
            Output.error(group.isEmpty ? "unknown command \"\(first)\"\n\n\(usage)"
                                       : "\(first) needs one of: \(group.map { $0.name }.joined(separator: ", "))\n\n\(usage)")
            exit(2)
        }
        let rest = Array(words.dropFirst(command.name.split(separator: " ").count))
        exit(await run(command, rest))
    }

    /// Parses `words` against `command`'s table and runs it; returns the exit code. Generic over the
    /// command so that its static members are read from the concrete type.
    static func run<Command: CLICommand>(_ command: Command.Type, _ words: [String]) async -> Int32 {
        if words.contains("--help") || words.contains("-h") {
            print(Command.help)
            return 0
        }
        let instance: Command
        do {
            instance = try Command(arguments: ParsedArguments(words, options: Command.options, arguments: Command.arguments))
        } catch let error as UsageError {
            Output.error("\(error.message)\n\nusage: \(Command.usageLine)\n(smtp-connector \(Command.name) --help lists every option)")
            return 2
        } catch {
            Output.error("\(error)")
            return 1
        }
        return await instance.run()
    }

    /// The command whose name the first words spell, the longest match first (`inbox wait` before `inbox`).
    static func command(for words: [String]) -> (any CLICommand.Type)? {
        commands.filter { command in
            let name = command.name.split(separator: " ").map(String.init)
            return words.count >= name.count && Array(words.prefix(name.count)) == name
        }.max { $0.name.count < $1.name.count }
    }

    /// The command list, each with its abstract, aligned.
    static var usage: String {
        """
        smtp-connector: send verification, password-reset and invitation emails through a configured provider.

        Commands:
        \(list(commands))

        Exit codes: 0 success, 1 failure, 2 usage error. `smtp-connector COMMAND --help` lists a command's options.
        """
    }

    /// One aligned line per command: its name and abstract.
    static func list(_ commands: [any CLICommand.Type]) -> String {
        let width = commands.map { $0.name.count }.max() ?? 0
        return commands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.abstract }
            .joined(separator: "\n")
    }
}
