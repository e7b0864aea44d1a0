import Foundation

/// One subcommand, in swift-argument-parser's shape: a name, an abstract, an option table and
/// positional arguments declared once, from which parsing and `--help` both come.
protocol CLICommand: Sendable {
    /// The words after `smtp-connector`: `send-test`, `inbox wait`, `presets show`.
    static var name: String { get }
    /// One line for the command list.
    static var abstract: String { get }
    /// More lines for the command's own help; empty by default.
    static var discussion: String { get }
    /// Its options, in the order help lists them.
    static var options: [CLIOption] { get }
    /// Its positional arguments, in order; none by default.
    static var arguments: [CLIArgument] { get }
    /// Reads the parsed options; throws ``UsageError`` for a value that does not fit.
    init(arguments: ParsedArguments) throws
    /// Runs; returns the exit code.
    func run() async -> Int32
}

extension CLICommand {
    static var discussion: String { "" }
    static var arguments: [CLIArgument] { [] }

    /// `smtp-connector send-test --config FILE|- --to ADDR [--type TYPE] [--json]`.
    static var usageLine: String {
        let words = arguments.map(\.name) + options.map { $0.isRequired ? $0.synopsis : "[\($0.synopsis)]" }
        return (["smtp-connector", name] + words).joined(separator: " ")
    }

    /// The generated help: usage, abstract, discussion, then one aligned line per argument and option
    /// with its default.
    static var help: String {
        var lines = ["usage: \(usageLine)", "", abstract]
        if !discussion.isEmpty { lines += ["", discussion] }
        let rows = arguments.map { ($0.name, $0.help) }
            + options.map { option in
                (option.synopsis, option.help + (option.defaultValue.map { " (default: \($0))" } ?? "") + (option.isRequired ? " (required)" : ""))
            }
            + [("--help", "show this help")]
        let width = rows.map(\.0.count).max() ?? 0
        lines += ["", arguments.isEmpty ? "Options:" : "Arguments and options:"]
        lines += rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        return lines.joined(separator: "\n")
    }
}

/// A command that takes a connector config and `--json`, and nothing else (`validate`, `doctor`).
protocol ConfigFileCommand: CLICommand {
    /// The command for the config at `source` (a path, or `-` for stdin).
    init(source: String, json: Bool)
}

extension ConfigFileCommand {
    static var options: [CLIOption] { [.configFile, .jsonOutput] }

    init(arguments: ParsedArguments) throws {
        self.init(source: try arguments.required(.configFile), json: arguments.flag(.jsonOutput))
    }
}
