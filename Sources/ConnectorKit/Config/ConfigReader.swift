/// Reads typed fields out of a JSON object while collecting every problem as a ``ConfigIssue``.
///
/// A reader never throws: a missing required key, a value of the wrong type or a key nobody asked
/// for each become an issue with its JSON path, so a connector can report them all together.
///
/// ```swift
/// var reader = ConfigReader(config)
/// let host = reader.string("host", required: true)
/// let port = reader.integer("port", in: 1...65535, allowNumericString: true)
/// reader.finish()          // unknown keys become issues
/// if !reader.issues.isEmpty { ... }
/// ```
public struct ConfigReader: Sendable {
    /// Every problem found so far, in the order found.
    public private(set) var issues: [ConfigIssue] = []
    /// The path of the object being read.
    public let path: ConfigPath
    private let members: [String: ConfigValue]
    private var readKeys: Set<String> = []
    /// The full path of every key read so far (present or not), nested readers included: the
    /// keys this configuration format knows, e.g. for checking documentation against the code.
    public private(set) var readPaths: [String] = []
    /// `readPaths` as a set, so that absorbing a nested reader stays linear (4,000 templates made
    /// the array's `contains` 97% of a config's validation).
    private var readPathSet: Set<String> = []

    /// Starts reading `value`, which must be an object (otherwise an issue is recorded).
    /// - Parameters:
    ///   - value: the JSON value to read.
    ///   - path: where `value` sits in the whole document, for messages.
    public init(_ value: ConfigValue, at path: ConfigPath = .root) {
        self.path = path
        if let members = value.objectValue {
            self.members = members
        } else {
            self.members = [:]
            issues.append(ConfigIssue(path: path.description, message: "expected an object, found \(value.typeDescription)"))
        }
    }

    /// Records an issue at the member `key` of this object.
    public mutating func report(_ key: String?, _ message: String, hint: String? = nil) {
        let location = key.map { path.appending($0) } ?? path
        issues.append(ConfigIssue(path: location.description, message: message, hint: hint))
    }

    /// Records issues found by someone else.
    public mutating func report(contentsOf other: [ConfigIssue]) {
        issues.append(contentsOf: other)
    }

    /// Takes over the issues and read paths of a reader for a nested value (an array element).
    public mutating func absorb(_ nested: ConfigReader) {
        issues.append(contentsOf: nested.issues)
        for readPath in nested.readPaths { markRead(readPath) }
    }

    /// Whether the member `key` holds a confidential value, which no message may quote
    /// (see ``ConfidentialValues``).
    public func isConfidential(_ key: String) -> Bool {
        ConfidentialValues.isConfidential(path: path.appending(key).description)
    }

    /// Whether the object has a member `key` (a `null` member counts as absent).
    public func contains(_ key: String) -> Bool {
        if let value = members[key], value != .null { return true }
        return false
    }

    /// The raw member `key`, marking it as read. `null` is treated as absent.
    public mutating func value(_ key: String, required: Bool = false, hint: String? = nil) -> ConfigValue? {
        if readKeys.insert(key).inserted { markRead(path.appending(key).description) }
        guard let value = members[key], value != .null else {
            if required { report(key, "is required", hint: hint) }
            return nil
        }
        return value
    }

    /// A string member.
    public mutating func string(_ key: String, required: Bool = false, hint: String? = nil) -> String? {
        guard let value = value(key, required: required, hint: hint) else { return nil }
        guard let text = value.stringValue else {
            report(key, "expected a string, found \(value.typeDescription)")
            return nil
        }
        if required && text.isEmpty {
            report(key, "must not be empty", hint: hint)
            return nil
        }
        return text
    }

    /// An optional string member, trimmed, where an empty or blank value means "not given": admin
    /// forms send `""` for a field left blank, and that must select the default, never an empty setting.
    public mutating func optionalString(_ key: String) -> String? {
        guard let text = string(key)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// A boolean member.
    public mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else {
            report(key, "expected true or false, found \(value.typeDescription)")
            return nil
        }
        return flag
    }

    /// A number member (any JSON number, or a numeric string when allowed).
    public mutating func number(_ key: String, allowNumericString: Bool = false) -> Double? {
        guard let value = value(key) else { return nil }
        if let number = value.numberValue { return number }
        if allowNumericString, let text = value.stringValue,
           let number = Double(text.trimmingCharacters(in: .whitespaces)) {
            return number
        }
        report(key, "expected a number, found \(value.typeDescription)")
        return nil
    }

    /// A whole-number member inside `range`.
    /// - Parameter allowNumericString: accept `"587"` as well as `587` (Logto documents `port` as a string).
    public mutating func integer(_ key: String, in range: ClosedRange<Int>, required: Bool = false,
                                 allowNumericString: Bool = false) -> Int? {
        guard contains(key) else {
            _ = value(key, required: required)
            return nil
        }
        guard let number = number(key, allowNumericString: allowNumericString) else { return nil }
        guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            let found = isConfidential(key) ? "" : ", found \(ConfigValue.number(number).templateText)"
            report(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound)\(found)")
            return nil
        }
        return Int(number)
    }

    /// An array member.
    public mutating func array(_ key: String, required: Bool = false) -> [ConfigValue]? {
        guard let value = value(key, required: required) else { return nil }
        guard let elements = value.arrayValue else {
            report(key, "expected an array, found \(value.typeDescription)")
            return nil
        }
        return elements
    }

    /// Reads the object member `key` with a nested reader; its issues (unknown keys included) join these.
    /// - Returns: what `body` returns, or `nil` when the member is absent or not an object.
    public mutating func object<T>(_ key: String, required: Bool = false,
                                   _ body: (inout ConfigReader) -> T) -> T? {
        guard let value = value(key, required: required) else { return nil }
        guard value.objectValue != nil else {
            report(key, "expected an object, found \(value.typeDescription)")
            return nil
        }
        var nested = ConfigReader(value, at: path.appending(key))
        let result = body(&nested)
        nested.finish()
        absorb(nested)
        return result
    }

    /// Marks keys as known without reading them (accepted for compatibility, no effect).
    public mutating func accept(_ keys: String...) {
        for key in keys where readKeys.insert(key).inserted { markRead(path.appending(key).description) }
    }

    private mutating func markRead(_ readPath: String) {
        if readPathSet.insert(readPath).inserted { readPaths.append(readPath) }
    }

    /// Records an issue for every member that was never read: an unknown key is an error, since a
    /// misspelt option would otherwise be ignored without a word.
    public mutating func finish() {
        for key in members.keys.sorted() where !readKeys.contains(key) {
            report(key, "is not a known option", hint: "Check its spelling; see Docs/Configuration.md for every key.")
        }
        readKeys.formUnion(members.keys)
    }
}
