import Foundation

/// Decodes `Decodable` values straight from a parsed ``ConfigValue``: no trip through JSON text
/// and Foundation's `JSONDecoder`, and every error names the JSON path of the value at fault
/// (`variants[1].port: expected a whole number, found "x"`).
///
/// Numbers decode into any integer type only when they are whole and in range; nothing is coerced
/// (a string is never a number, a number never a string). A `ConfigValue` property takes the value
/// as it is.
///
/// ```swift
/// let preset = try ConfigValueDecoder().decode(Preset.self, from: try ConfigValue.parse(json: data))
/// ```
public struct ConfigValueDecoder: Sendable {
    /// A decoder.
    public init() {}

    /// Decodes `type` from `value`.
    /// - Throws: ``ConnectorError`` (`invalid_config`, phase `config`) whose message starts with the
    ///   JSON path of the value that does not fit (or "the value" for the root), or any other error
    ///   the type's own `init(from:)` throws.
    public func decode<T: Decodable>(_ type: T.Type, from value: ConfigValue) throws -> T {
        do {
            return try ConfigValueDecoding(value: value, codingPath: []).decode(type)
        } catch let error as DecodingError {
            throw ConnectorError(.invalidConfig, Self.describe(error), phase: .config)
        }
    }

    /// `path: what is wrong`, for a decoding error from this decoder or from a type's own init.
    static func describe(_ error: DecodingError) -> String {
        let (path, message): ([any CodingKey], String)
        switch error {
        case .keyNotFound(let key, let context): (path, message) = (context.codingPath + [key], "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (path, message) = (context.codingPath, context.debugDescription)
        @unknown default: (path, message) = ([], "\(error)")
        }
        let text = ConfigPath(path).description
        return (text.isEmpty ? "the value" : text) + ": " + message
    }
}

extension ConfigPath {
    /// The path of a coding path: `variants[1].port`.
    init(_ codingPath: [any CodingKey]) {
        self = codingPath.reduce(ConfigPath.root) { path, key in
            key.intValue.map { path.appending(index: $0) } ?? path.appending(key.stringValue)
        }
    }
}

/// One position in the value being decoded: the `Decoder` handed to each `init(from:)`.
struct ConfigValueDecoding: Decoder {
    let value: ConfigValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let members = value.objectValue else { throw mismatch([String: ConfigValue].self, expected: "an object") }
        return KeyedDecodingContainer(KeyedContainer(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let elements = value.arrayValue else { throw mismatch([ConfigValue].self, expected: "an array") }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        let found = value == .null ? "null" : value.typeDescription
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)"))
    }

    /// A whole number of type `T`, or a mismatch that says which range was expected.
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let number = value.numberValue else { throw mismatch(type, expected: "a whole number") }
        guard let result = T(exactly: number) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "expected a whole number from \(T.min) to \(T.max), found \(ConfigValue.number(number).templateText)"))
        }
        return result
    }
}

extension ConfigValueDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let result = value.boolValue else { throw mismatch(type, expected: "true or false") }
        return result
    }

    func decode(_ type: String.Type) throws -> String {
        guard let result = value.stringValue else { throw mismatch(type, expected: "a string") }
        return result
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let result = value.numberValue else { throw mismatch(type, expected: "a number") }
        return result
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // A ConfigValue member takes the value as it is (its own init would probe each JSON type).
        if let same = value as? T { return same }
        return try T(from: self)
    }
}

/// The members of an object, each decoded at its key's path.
private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: ConfigValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> ConfigValueDecoding {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "is required"))
        }
        return ConfigValueDecoding(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue].map { $0 == .null } ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try member(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder { ConfigValueDecoding(value: .object(members), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try member(key) }
}

/// The elements of an array, each decoded at its index's path.
private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [ConfigValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [ConfigValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> ConfigValueDecoding {
        let path = codingPath + [ConfigPath.Index(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(ConfigValue.self, .init(codingPath: path, debugDescription: "the array ends here"))
        }
        defer { currentIndex += 1 }
        return ConfigValueDecoding(value: elements[currentIndex], codingPath: path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

extension ConfigPath {
    /// An array position in a coding path.
    struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { self.intValue = intValue }
    }
}
