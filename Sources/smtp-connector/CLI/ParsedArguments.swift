/// A mistake in how the command was called (exit code 2); the message names the option.
struct UsageError: Error {
    var message: String
}

/// The command line read against a command's option table: each declared option at most once,
/// every value present, every required option given, exactly the declared positional arguments.
/// Anything else is a ``UsageError`` that names the option.
struct ParsedArguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private var positionals: [String] = []
    private let arguments: [CLIArgument]

    /// Reads `words` (the words after the command's name).
    /// - Parameters:
    ///   - words: the command line after the command's name.
    ///   - options: the command's option table.
    ///   - arguments: its positional arguments, all required, in order.
    /// - Throws: ``UsageError`` for an unknown, repeated or incomplete option, a missing required
    ///   option, or a missing or extra positional argument.
    init(_ words: [String], options: [CLIOption], arguments: [CLIArgument] = []) throws {
        self.arguments = arguments
        let declared = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("-"), word != "-" else {
                positionals.append(word)
                continue
            }
            var name = word, inline: String?
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                name = String(word[..<equals])
                inline = String(word[word.index(after: equals)...])
            }
            guard let option = declared[name] else {
                let known = options.map(\.name).joined(separator: ", ")
                throw UsageError(message: "unknown option \(name)" + (known.isEmpty ? "; this command takes none" : "; it takes \(known)"))
            }
            guard seen.insert(name).inserted else { throw UsageError(message: "\(name) is given twice; give it once") }
            guard option.takesValue else {
                if inline != nil { throw UsageError(message: "\(name) takes no value") }
                flags.insert(name)
                continue
            }
            if let inline {
                values[name] = inline
            } else {
                guard index < words.count else { throw UsageError(message: "\(name) needs a value (\(option.synopsis))") }
                values[name] = words[index]
                index += 1
            }
        }
        if let missing = options.first(where: { $0.isRequired && values[$0.name] == nil }) {
            throw UsageError(message: "missing \(missing.synopsis)")
        }
        if positionals.count > arguments.count {
            throw UsageError(message: "unexpected argument \"\(positionals[arguments.count])\"")
        }
        if positionals.count < arguments.count {
            throw UsageError(message: "missing \(arguments[positionals.count].name)")
        }
    }

    /// The value given for `option`, else its default.
    func value(_ option: CLIOption) -> String? {
        values[option.name] ?? option.defaultValue
    }

    /// Whether `option` was given on the command line (its default does not count).
    func isGiven(_ option: CLIOption) -> Bool {
        values[option.name] != nil || flags.contains(option.name)
    }

    /// The value of an option the table marks required (present once parsing succeeded).
    /// - Throws: ``UsageError`` if it is absent after all.
    func required(_ option: CLIOption) throws -> String {
        guard let value = value(option) else { throw UsageError(message: "missing \(option.synopsis)") }
        return value
    }

    /// Whether flag `option` was given.
    func flag(_ option: CLIOption) -> Bool {
        flags.contains(option.name)
    }

    /// The positional argument `argument` (present once parsing succeeded).
    /// - Throws: ``UsageError`` if it is absent after all.
    func positional(_ argument: CLIArgument) throws -> String {
        guard let index = arguments.firstIndex(of: argument), index < positionals.count else {
            throw UsageError(message: "missing \(argument.name)")
        }
        return positionals[index]
    }
}
