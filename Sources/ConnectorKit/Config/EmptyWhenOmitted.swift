/// A `Codable` property that a config or preset file may leave out: absent (or null), it decodes
/// as its type's empty value (`[]`, `[:]`, `""`), so types keep their synthesized `init(from:)`.
///
/// ```swift
/// struct Preset: Codable {
///     var id: String                                   // required
///     @EmptyWhenOmitted var variants: [VariantSet]     // may be left out
/// }
/// ```
@propertyWrapper
public struct EmptyWhenOmitted<Value: EmptyDecodable> {
    /// The value.
    public var wrappedValue: Value

    /// Wraps `wrappedValue`.
    /// - Parameter wrappedValue: the value.
    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
    }
}

/// A type with an empty value that an omitted key stands for.
public protocol EmptyDecodable: Codable {
    /// The value of an omitted key.
    static var emptyValue: Self { get }
}

extension EmptyWhenOmitted: Sendable where Value: Sendable {}
extension EmptyWhenOmitted: Equatable where Value: Equatable {}
extension EmptyWhenOmitted: Hashable where Value: Hashable {}

extension EmptyWhenOmitted: Codable {
    /// Decodes the value itself (the key was present).
    public init(from decoder: any Decoder) throws {
        wrappedValue = try Value(from: decoder)
    }

    /// Encodes the value itself.
    public func encode(to encoder: any Encoder) throws {
        try wrappedValue.encode(to: encoder)
    }
}

extension KeyedDecodingContainer {
    /// An absent or null key decodes as the empty value: the synthesized `init(from:)` calls this
    /// overload for every ``EmptyWhenOmitted`` property.
    public func decode<Value>(_ type: EmptyWhenOmitted<Value>.Type, forKey key: Key) throws -> EmptyWhenOmitted<Value> {
        try decodeIfPresent(type, forKey: key) ?? EmptyWhenOmitted(wrappedValue: .emptyValue)
    }
}

extension Array: EmptyDecodable where Element: Codable {
    /// `[]`.
    public static var emptyValue: Self { [] }
}

extension Dictionary: EmptyDecodable where Key == String, Value: Codable {
    /// `[:]`.
    public static var emptyValue: Self { [:] }
}

extension String: EmptyDecodable {
    /// `""`.
    public static var emptyValue: Self { "" }
}

extension ConfigValue: EmptyDecodable {
    /// An empty object, `{}`.
    public static var emptyValue: Self { .object([:]) }
}
