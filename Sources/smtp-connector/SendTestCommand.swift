import ConnectorKit
import StandardConnectors

/// `send-test`: the "Test SMTP connector" button. Sends one message and reports what happened.
struct SendTestCommand: CLICommand {
    static let name = "send-test"
    static let usage = """
        send-test --config FILE|- --to ADDR [--type Generic] [--code 000000] [--locale TAG] [--data JSON] [--json] [--events]
                                                send one test email through the configured server (or failover);
                                                --events prints each connector event as JSON on stderr
        """
    static let options: Set<String> = ["--config", "--to", "--type", "--code", "--locale", "--data"]
    static let flags: Set<String> = ["--json", "--events"]

    let source: String
    let recipient: String
    let usageType: UsageType
    let payload: ConfigValue
    let locale: String?
    let json: Bool
    let events: Bool

    init(arguments: inout ParsedArguments) throws {
        source = try arguments.required("--config")
        recipient = try arguments.required("--to")
        let typeName = arguments.value("--type") ?? UsageType.generic.rawValue
        guard let type = UsageType(rawValue: typeName) else {
            throw UsageError(message: "--type \(typeName) is not a usage type; expected one of \(UsageType.allNames)")
        }
        usageType = type
        var data: [String: ConfigValue] = [:]
        if let text = arguments.value("--data") {
            guard let object = (try? ConfigValue.parse(json: text))?.objectValue else {
                throw UsageError(message: "--data must be a JSON object, e.g. '{\"link\": \"https://…\"}'")
            }
            data = object
        }
        data["code"] = .string(arguments.value("--code") ?? data["code"]?.stringValue ?? "000000")
        locale = arguments.value("--locale")
        if let locale { data["locale"] = .string(locale) }
        payload = .object(data)
        json = arguments.flag("--json")
        events = arguments.flag("--events")
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
