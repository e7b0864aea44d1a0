import Testing
@testable import ConnectorKit

@Suite struct ConfigValueTests {
    @Test func parsesEveryJSONTypeKeepingBooleansApartFromNumbers() throws {
        let value = try ConfigValue.parse(json: #"{"a": true, "b": 1, "c": "x", "d": null, "e": [1, {"f": "g"}], "h": 2.5}"#)
        #expect(value["a"] == .bool(true))
        #expect(value["b"] == .number(1))
        #expect(value["c"] == .string("x"))
        #expect(value["d"] == .null)
        #expect(value["h"]?.numberValue == 2.5)
        #expect(value.value(atPath: "e.1.f") == "g")
        #expect(value.value(atPath: "e.0") == 1)
    }

    @Test func dotPathsReturnNilForMissingSegments() throws {
        let value: ConfigValue = ["auth": ["user": "u"], "list": [["name": "n"]]]
        #expect(value.value(atPath: "auth.user") == "u")
        #expect(value.value(atPath: "list.0.name") == "n")
        #expect(value.value(atPath: "list.1.name") == nil)
        #expect(value.value(atPath: "auth.user.deeper") == nil)
        #expect(value.value(atPath: "list.x") == nil)
    }

    @Test func malformedJSONIsAnInvalidConfigErrorWithAHint() {
        #expect {
            try ConfigValue.parse(json: #"{"host": "a",}"#)
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .invalidConfig && error.message.contains("not valid JSON") && error.hint != nil
        }
    }

    @Test func templateTextFormatsNumbersWithoutFractions() {
        #expect(ConfigValue.number(123456).templateText == "123456")
        #expect(ConfigValue.number(1.5).templateText == "1.5")
        #expect(ConfigValue.null.templateText == "")
        #expect(ConfigValue.bool(false).templateText == "false")
        #expect(ConfigValue.array([1, "a"]).templateText == #"[1,"a"]"#)
    }

    @Test func roundTripsThroughJSONText() throws {
        let value: ConfigValue = ["z": [1, 2], "a": ["b": nil, "c": true], "s": "é/\""]
        #expect(try ConfigValue.parse(json: value.jsonText()) == value)
    }
}

@Suite struct ConfigReaderTests {
    @Test func reportsEveryProblemWithItsPath() {
        let config: ConfigValue = ["host": 5, "port": "abc", "unknownKey": true, "auth": ["user": 1, "extra": "x"]]
        var reader = ConfigReader(config)
        _ = reader.string("host", required: true)
        _ = reader.integer("port", in: 1...65535, allowNumericString: true)
        _ = reader.string("fromEmail", required: true)
        _ = reader.object("auth") { auth in auth.string("user") }
        reader.finish()
        let lines = reader.issues.map(\.description)
        #expect(lines.contains { $0.hasPrefix("host: expected a string, found a number") })
        #expect(lines.contains { $0.hasPrefix("port: expected a number, found a string") })
        #expect(lines.contains { $0.hasPrefix("fromEmail: is required") })
        #expect(lines.contains { $0.hasPrefix("auth.user: expected a string") })
        #expect(lines.contains { $0.hasPrefix("auth.extra: is not a known option") })
        #expect(lines.contains { $0.hasPrefix("unknownKey: is not a known option") })
        #expect(reader.issues.count == 6)
    }

    @Test func acceptsNumericStringsWhenAllowedAndChecksRanges() {
        var reader = ConfigReader(["port": "587", "other": 70000, "fraction": 1.5])
        #expect(reader.integer("port", in: 1...65535, allowNumericString: true) == 587)
        #expect(reader.integer("other", in: 1...65535) == nil)
        #expect(reader.integer("fraction", in: 1...65535) == nil)
        #expect(reader.issues.map(\.path) == ["other", "fraction"])
    }

    @Test func pathsOfArrayElementsUseBrackets() {
        #expect(ConfigPath.root.appending("templates").appending(index: 2).appending("contentType").description
                == "templates[2].contentType")
    }

    @Test func nonObjectRootIsAnIssue() {
        let reader = ConfigReader(.array([]))
        #expect(reader.issues.first?.message == "expected an object, found an array")
    }
}

@Suite struct JSONParserTests {
    private func message(_ json: String) -> String? {
        do {
            _ = try ConfigValue.parse(json: json)
            return nil
        } catch {
            return (error as? ConnectorError)?.message
        }
    }

    @Test func namesLineAndColumnOfTheMistake() {
        let text = message("{\n  \"host\": \"a\",\n  port: 25\n}")
        #expect(text?.contains("expected a quoted key at line 3, column 3") == true)
    }

    @Test func rejectsTrailingCommasAndDuplicateKeys() {
        #expect(message(#"{"a": 1,}"#)?.contains("trailing comma") == true)
        #expect(message(#"[1,]"#)?.contains("trailing comma") == true)
        #expect(message(#"{"a": 1, "a": 2}"#)?.contains("\"a\" appears twice") == true)
    }

    @Test func aDuplicateKeyIsReportedWhereItsSecondCopyStarts() {
        // The position is counted only when the error is reported, from the key's offset.
        let text = message("{\n  \"host\": \"a\",\n  \"caf\u{00E9}\": 1,\n    \"host\": \"b\"\n}")
        #expect(text?.contains("\"host\" appears twice in the same object at line 4, column 5") == true)
    }

    @Test func readPathsOfNestedReadersAreListedOnceInReadingOrder() {
        var reader = ConfigReader(.object(["list": .array([.object(["a": .number(1)]), .object(["a": .number(2)])])]))
        _ = reader.value("top")
        for _ in 0..<2 {
            var nested = ConfigReader(.object(["a": .number(1)]), at: ConfigPath.root.appending("list"))
            _ = nested.value("a")
            _ = nested.value("b")
            reader.absorb(nested)
        }
        #expect(reader.readPaths == ["top", "list.a", "list.b"])
    }

    @Test func rejectsNonJSONNumbersAndRawControlCharacters() {
        #expect(message(#"{"a": 01}"#) != nil)
        #expect(message(#"{"a": +1}"#) != nil)
        #expect(message("{\"a\": \"x\ny\"}")?.contains("control character") == true)
        #expect(message(#"{"a": 1} x"#)?.contains("after the JSON value") == true)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try ConfigValue.parse(json: #"{"s": "a\n\"\u00e9\ud83d\ude00\/"}"#)
        #expect(value["s"] == .string("a\n\"é😀/"))
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(message(deep)?.contains("nesting deeper") == true)
    }
}
