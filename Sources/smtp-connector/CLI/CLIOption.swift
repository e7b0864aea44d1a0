/// One option of a command, declared once: the table a command lists drives parsing, the refusal
/// of unknown and repeated options, and the command's generated `--help`.
///
/// ```swift
/// static let config = CLIOption.value("--config", "FILE|-", required: true, help: "the connector config (- for stdin)")
/// static let json = CLIOption.flag("--json", help: "print JSON instead of text")
/// ```
struct CLIOption: Sendable, Hashable {
    /// `--config`.
    let name: String
    /// What the value looks like in help (`FILE|-`); nil for a flag, which takes no value.
    let placeholder: String?
    /// The value used when the option is not given, shown in help; nil for none.
    let defaultValue: String?
    /// Whether the command refuses to run without it.
    let isRequired: Bool
    /// One line on what it does.
    let help: String

    /// An option that takes a value: `--name VALUE` or `--name=VALUE`.
    /// - Parameters:
    ///   - name: the option, with its dashes.
    ///   - placeholder: what the value looks like in help.
    ///   - defaultValue: the value when the option is not given.
    ///   - required: whether the command needs it.
    ///   - help: one line on what it does.
    static func value(_ name: String, _ placeholder: String, default defaultValue: String? = nil, required: Bool = false,
                      help: String) -> CLIOption {
        CLIOption(name: name, placeholder: placeholder, defaultValue: defaultValue, isRequired: required, help: help)
    }

    /// A switch that takes no value.
    /// - Parameters:
    ///   - name: the option, with its dashes.
    ///   - help: one line on what it does.
    static func flag(_ name: String, help: String) -> CLIOption {
        CLIOption(name: name, placeholder: nil, defaultValue: nil, isRequired: false, help: help)
    }

    /// Whether it takes a value.
    var takesValue: Bool { placeholder != nil }

    /// `--config FILE|-`, or `--json`.
    var synopsis: String { placeholder.map { "\(name) \($0)" } ?? name }
}

extension CLIOption {
    /// `--config FILE|-`, required: the connector config (smtp, a preset, failover or a third party's).
    static let configFile = CLIOption.value("--config", "FILE|-", required: true,
                                            help: "the connector config (smtp, a preset or failover); - reads it from stdin")
    /// `--json`: print JSON instead of text (errors too, as {"error": ...}).
    static let jsonOutput = CLIOption.flag("--json", help: "print JSON instead of text (an error as {\"error\": ...})")
    /// `--events`: each connector event as a JSON line on stderr.
    static let eventLines = CLIOption.flag("--events", help: "print each connector event as a JSON line on stderr")
}

/// A positional argument of a command (`presets show ID`).
struct CLIArgument: Sendable, Hashable {
    /// How help names it: `ID`.
    let name: String
    /// One line on what it is.
    let help: String
}
