import ConnectorKit

/// The form as the page sends it: `{"connector": "gmail", "config": {...}}`, where `config`
/// may hold masked values that mean "keep the stored one".
struct ConsoleDraft {
    /// The registry id.
    var connector: String
    /// The form's values, as sent.
    var config: ConfigValue

    /// A draft for `connector` with `config`.
    init(connector: String, config: ConfigValue) {
        self.connector = connector
        self.config = config
    }

    /// Reads the draft from a request body.
    /// - Throws: ``APIFailure`` (400) for a body that is not a JSON object with these members.
    init(_ request: HTTPRequest) throws {
        let body = try Self.body(request)
        guard let connector = body["connector"]?.stringValue, !connector.isEmpty else {
            throw APIFailure(400, "The body needs \"connector\": the id of a registered connector, e.g. \"smtp\".")
        }
        guard let config = body["config"], config.objectValue != nil else {
            throw APIFailure(400, "The body needs \"config\": a JSON object with the connector's settings.")
        }
        self.connector = connector
        self.config = config
    }

    /// The request body as a JSON object.
    /// - Throws: ``APIFailure`` (400) naming what is wrong with it.
    static func body(_ request: HTTPRequest) throws -> [String: ConfigValue] {
        guard !request.body.isEmpty else { throw APIFailure(400, "The request has no body; send a JSON object.") }
        let value: ConfigValue
        do {
            value = try ConfigValue.parse(json: String(decoding: request.body, as: UTF8.self))
        } catch let error as ConnectorError {
            throw APIFailure(400, "The body is not valid JSON: \(error.message)")
        }
        guard let object = value.objectValue else { throw APIFailure(400, "The body must be a JSON object, not \(value.typeDescription).") }
        return object
    }
}

/// The test-send choices: `{"test": {"to", "usageType", "locale", "code"}}` beside the draft.
struct TestSendRequest {
    /// The test recipient (only required to send).
    var to: String?
    /// The usage type; Generic by default.
    var usageType: UsageType
    /// The locale, if any.
    var locale: String?
    /// The code to put in the payload; 000000 by default.
    var code: String

    init(_ request: HTTPRequest) throws {
        let test = try ConsoleDraft.body(request)["test"]?.objectValue ?? [:]
        to = test["to"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let typeName = test["usageType"]?.stringValue ?? UsageType.generic.rawValue
        guard let type = UsageType(rawValue: typeName) else {
            throw APIFailure(400, "test.usageType \"\(typeName)\" is not a usage type.", hint: "Use one of: \(UsageType.allNames).")
        }
        usageType = type
        locale = test["locale"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        code = test["code"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "000000"
    }

    /// The payload templates are rendered with.
    var payload: ConfigValue {
        var object: [String: ConfigValue] = ["code": .string(code)]
        if let locale { object["locale"] = .string(locale) }
        return .object(object)
    }
}
