import ConnectorKit
import StandardConnectors

/// `send-test`: the "Test SMTP connector" button. Sends one message and reports what happened.
struct SendTestCommand: CLICommand {
    static let name = "send-test"
    static let abstract = "send one test email through the configured provider (or failover)"
    static let config = CLIOption.configFile
    static let to = CLIOption.value("--to", "ADDR", required: true, help: "the test recipient")
    static let type = CLIOption.value("--type", "TYPE", default: UsageType.generic.rawValue, help: "the usage type: \(UsageType.allNames)")
    static let code = CLIOption.value("--code", "CODE", default: "000000", help: "the code put in the payload")
    static let locale = CLIOption.value("--locale", "TAG", help: "the locale templates are picked for, e.g. fr-CA")
    static let data = CLIOption.value("--data", "JSON", help: "more payload values, a JSON object such as '{\"link\": \"https://...\"}'")
    static let json = CLIOption.jsonOutput
    static let events = CLIOption.eventLines
    static let options = [config, to, type, code, locale, data, json, events]

    let source: String
    let recipient: String
    let usageType: UsageType
    let payload: ConfigValue
    let locale: String?
    let json: Bool
    let events: Bool

    init(arguments: ParsedArguments) throws {
        source = try arguments.required(Self.config)
        recipient = try arguments.required(Self.to)
        let typeName = try arguments.required(Self.type)
        guard let type = UsageType(rawValue: typeName) else {
            throw UsageError(message: "--type \(typeName) is not a usage type; expected one of \(UsageType.allNames)")
        }
        usageType = type
        var values: [String: ConfigValue] = [:]
        if let text = arguments.value(Self.data) {
            guard let object = (try? ConfigValue.parse(json: text))?.objectValue else {
                throw UsageError(message: "--data must be a JSON object, e.g. '{\"link\": \"https://…\"}'")
            }
            values = object
        }
        // --code wins over a code in --data; without either, the default code.
        let givenCode = arguments.isGiven(Self.code) ? arguments.value(Self.code) : nil
        values["code"] = .string(givenCode ?? values["code"]?.stringValue ?? arguments.value(Self.code) ?? "000000")
        locale = arguments.value(Self.locale)
        if let locale { values["locale"] = .string(locale) }
        payload = .object(values)
        json = arguments.flag(Self.json)
        events = arguments.flag(Self.events)
    }

    func run() async -> Int32 {
        do {
            let config = try Output.readConfig(source)
            let request = EmailRequest(to: recipient, usageType: usageType, payload: payload, locale: locale)
            let receipt = try await ConnectorOperations().sendTest(request, config: config, events: EventPrinter.handler(enabled: events))
            if json {
                Output.json(receipt.jsonValue)
            } else {
                print("Sent \(usageType.rawValue) test email to \(receipt.accepted.joined(separator: ", "))")
                print("  Message-ID: <\(receipt.messageID)>")
                print("  server: \(receipt.response)")
                for rejection in receipt.rejected { print("  rejected \(rejection.address): \(rejection.reply)") }
                if let route = receipt.failover {
                    print("  delivered by failover[\(route.memberIndex)] (\(route.member))")
                    for hop in route.hops { print("  after \(hop)") }
                }
            }
            return 0
        } catch {
            return Output.fail(error, json: json)
        }
    }
}
