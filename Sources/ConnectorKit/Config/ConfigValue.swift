import Foundation

/// A JSON value: the shape of every connector configuration and of a message's template payload.
///
/// `ConfigValue` keeps the distinction JSON makes between numbers, booleans and strings, so a
/// validator can say "expected a number" instead of guessing. Object keys keep no order; code that
/// lists keys sorts them so messages are stable.
public enum ConfigValue: Sendable, Equatable, Hashable {
    /// JSON `null`.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// A JSON number.
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([ConfigValue])
    /// A JSON object.
    case object([String: ConfigValue])

    /// The name of this value's JSON type, as used in validation messages ("a string", "an object").
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The string, when this value is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, when this value is a number.
    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The boolean, when this value is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this value is an array.
    public var arrayValue: [ConfigValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this value is an object.
    public var objectValue: [String: ConfigValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member named `key`, when this value is an object that has it.
    public subscript(key: String) -> ConfigValue? {
        objectValue?[key]
    }

    /// The element at `index`, when this value is an array that long.
    public subscript(index: Int) -> ConfigValue? {
        guard let elements = arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Follows a dot path such as `auth.user` or `templates.0.subject`.
    ///
    /// Each segment names an object member or, on an array, a decimal index.
    /// - Returns: the value found, or `nil` when any segment is missing.
    public func value(atPath path: String) -> ConfigValue? {
        var current: ConfigValue = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key = String(segment)
            switch current {
            case .object(let members):
                guard let next = members[key] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Text for inserting this value into a template: strings as they are, integral numbers
    /// without a fraction, `null` as empty, arrays and objects as compact JSON.
    public var templateText: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case .string(let value): return value
        case .array, .object: return (try? jsonText()) ?? ""
        }
    }
}

extension ConfigValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
