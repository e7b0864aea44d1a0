/// One problem found in a configuration, tied to the JSON path where it is.
///
/// Validators return every issue at once so an operator can fix a config in one pass.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is, e.g. `templates[2].contentType`; empty for the whole document.
    public var path: String
    /// What is wrong, e.g. "expected text/plain or text/html".
    public var message: String
    /// How to fix it, when there is something useful to say.
    public var hint: String?

    /// Creates an issue.
    /// - Parameters:
    ///   - path: the JSON path of the offending value (`auth.user`, `templates[0].subject`).
    ///   - message: what is wrong with it.
    ///   - hint: an optional suggestion for the fix.
    public init(path: String, message: String, hint: String? = nil) {
        self.path = path
        self.message = message
        self.hint = hint
    }

    /// `path: message (hint)`, the form the CLI prints.
    public var description: String {
        let location = path.isEmpty ? "(config)" : path
        if let hint { return "\(location): \(message). \(hint)" }
        return "\(location): \(message)"
    }
}

extension ConfigIssue {
    /// This issue, found in a value nested at `prefix` of a larger document: `auth.pass` under
    /// `failover[1]` is `failover[1].auth.pass`.
    public func nested(under prefix: String) -> ConfigIssue {
        ConfigIssue(path: path.isEmpty ? prefix : "\(prefix).\(path)", message: message, hint: hint)
    }
}
