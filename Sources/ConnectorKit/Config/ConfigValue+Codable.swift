import Foundation

extension ConfigValue: Codable {
    /// Decodes any JSON value. Booleans are tried before numbers so `true` never becomes `1`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConfigValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ConfigValue].self))
        }
    }

    /// Encodes the value as the JSON it stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text strictly (RFC 8259; duplicate keys are an error).
    ///
    /// - Throws: ``ConnectorError`` with code ``ConnectorError/Code/invalidConfig`` whose message
    ///   says where (line and column) the text stops being JSON.
    public static func parse(json text: String) throws -> ConfigValue {
        try parse(json: Data(text.utf8))
    }

    /// Parses JSON bytes. See ``parse(json:)-(String)``.
    public static func parse(json data: Data) throws -> ConfigValue {
        var parser = JSONParser(Array(data))
        do {
            return try parser.parse()
        } catch let failure as JSONParser.Failure {
            throw ConnectorError(
                .invalidConfig,
                "The configuration is not valid JSON: \(failure.message) at line \(failure.line), column \(failure.column).",
                phase: .config,
                hint: "JSON needs double-quoted keys and strings, commas between members and none after the last.")
        }
    }

    /// Compact JSON text with sorted keys.
    public func jsonText(pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
