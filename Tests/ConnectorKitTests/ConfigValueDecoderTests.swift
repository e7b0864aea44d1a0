import ConnectorKit
import Testing

/// `ConfigValueDecoder` decodes straight from a parsed value, names the JSON path of whatever does
/// not fit, and lets `@EmptyWhenOmitted` keys be left out.
@Suite struct ConfigValueDecoderTests {
    private struct Route: Codable, Equatable {
        var name: String
        var port: UInt16?
        @EmptyWhenOmitted var tags: [String]
        @EmptyWhenOmitted var extra: ConfigValue
    }

    private struct Table: Codable, Equatable {
        var routes: [Route]
        var weight: Double
        var enabled: Bool
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try ConfigValueDecoder().decode(type, from: try ConfigValue.parse(json: json))
    }

    @Test func decodesNestedValuesAndFillsOmittedKeysWithEmptyValues() throws {
        let table = try decode(Table.self, #"{"routes": [{"name": "a", "port": 587, "tags": ["x"], "extra": {"k": [1, null]}}, {"name": "b"}], "weight": 0.5, "enabled": true}"#)
        #expect(table.routes[0] == Route(name: "a", port: 587, tags: ["x"], extra: ["k": [1, .null]]))
        #expect(table.routes[1] == Route(name: "b", port: nil, tags: [], extra: [:]))
        #expect(table.weight == 0.5 && table.enabled)
    }

    @Test(arguments: [
        (#"{"routes": [{"name": "a"}, {"name": 7}], "weight": 1, "enabled": true}"#, "routes[1].name: expected a string, found a number"),
        (#"{"routes": [{"name": "a", "port": 70000}], "weight": 1, "enabled": true}"#, "routes[0].port: expected a whole number from 0 to 65535, found 70000"),
        (#"{"routes": [{"name": "a", "port": 25.5}], "weight": 1, "enabled": true}"#, "routes[0].port: expected a whole number from 0 to 65535, found 25.5"),
        (#"{"routes": [{"name": "a", "tags": "x"}], "weight": 1, "enabled": true}"#, "routes[0].tags: expected an array, found a string"),
        (#"{"routes": [], "enabled": true}"#, "weight: is required"),
        (#"{"routes": [], "weight": "1", "enabled": true}"#, "weight: expected a number, found a string"),
        (#"{"routes": [], "weight": 1, "enabled": "yes"}"#, "enabled: expected true or false, found a string"),
        (#"[1]"#, "the value: expected an object, found an array"),
    ])
    func errorsNameTheJSONPath(json: String, message: String) throws {
        let error = try #require(throws: ConnectorError.self) { try decode(Table.self, json) }
        #expect(error.code == .invalidConfig)
        #expect(error.message == message)
    }

    @Test func aConfigValueIsTakenAsItIs() throws {
        let value: ConfigValue = ["a": [true, 1, "s", .null], "b": [:]]
        #expect(try ConfigValueDecoder().decode(ConfigValue.self, from: value) == value)
    }
}
