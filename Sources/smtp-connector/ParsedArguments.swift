/// A mistake in how the command was called (exit code 2).
struct UsageError: Error {
    var message: String
}

/// `--name value` options and `--flag` switches, read by name; leftovers are usage errors.
struct ParsedArguments {
    private var values: [String: String] = [:]
    private var present: Set<String> = []
    private var consumed: Set<String> = []
    private(set) var positionals: [String] = []

    init(_ arguments: [String], options: Set<String>, flags: Set<String>) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if options.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index + 1 < arguments.count else { throw UsageError(message: "\(name) needs a value") }
                    values[name] = arguments[index + 1]
                    index += 1
                }
                present.insert(name)
            } else if flags.contains(name) {
                present.insert(name)
            } else if argument.hasPrefix("-") && argument != "-" {
                throw UsageError(message: "unknown option \(argument)")
            } else {
                positionals.append(argument)
            }
            index += 1
        }
    }

    /// The value of option `name`, if given.
    mutating func value(_ name: String) -> String? {
        consumed.insert(name)
        return values[name]
    }

    /// The value of a required option.
    mutating func required(_ name: String) throws -> String {
        guard let value = value(name) else { throw UsageError(message: "missing \(name)") }
        return value
    }

    /// Whether flag `name` was given.
    mutating func flag(_ name: String) -> Bool {
        consumed.insert(name)
        return present.contains(name)
    }

    /// The positional words, which the command takes over (so `finish` does not refuse them).
    mutating func takePositionals() -> [String] {
        defer { positionals = [] }
        return positionals
    }

    /// Fails on positional arguments nobody asked for.
    func finish() throws {
        if let extra = positionals.first { throw UsageError(message: "unexpected argument \"\(extra)\"") }
    }
}
