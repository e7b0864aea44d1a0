/// A failover configuration: `{"failover": [MEMBER, ...], "cooldownSeconds": 60}`, where each
/// MEMBER is a connector config whose `"connector"` key names its registry id (default `smtp`).
public struct FailoverConfig: Sendable, Equatable {
    /// One member: which connector, and its own config (without the `connector` key).
    public struct Member: Sendable, Equatable {
        /// Its position in `failover`, from 0.
        public var index: Int
        /// The registry id of its connector (`smtp`, `gmail`, a third party's id).
        public var connectorID: String
        /// Its configuration, as that connector reads it.
        public var config: ConfigValue

        /// How events, receipts and errors name it: the preset when it names one, else the connector id.
        public var name: String {
            config["preset"]?.stringValue ?? connectorID
        }

        /// Where it sits in the document: `failover[1]`.
        public var path: String { "failover[\(index)]" }

        /// `failover[1] (sendgrid)`.
        public var label: String { "\(path) (\(name))" }
    }

    /// The members, in the order they are tried.
    public var members: [Member]
    /// How long a member that failed is skipped. Default 60 s.
    public var cooldown: Duration

    /// The default cool-down, in seconds.
    public static let defaultCooldownSeconds = 60.0

    /// The key a member names its connector with, and the id used when it is absent.
    static let connectorKey = "connector", defaultConnectorID = "smtp"

    /// Reads `config`, checking every member against the factory `registry` holds for it.
    /// - Returns: the config, and every problem found (member problems under `failover[i].`).
    public static func read(_ config: ConfigValue, registry: ConnectorRegistry) -> (FailoverConfig?, [ConfigIssue]) {
        var reader = ConfigReader(config)
        if !reader.contains("failover") {
            reader.report("failover", "is required",
                          hint: "List the connector configs to try in order, e.g. [{\"preset\": \"gmail\", ...}, {\"preset\": \"sendgrid\", ...}].")
        }
        let elements = reader.array("failover")
        let seconds = reader.number("cooldownSeconds") ?? defaultCooldownSeconds
        if !seconds.isFinite || seconds < 0 || seconds > 86_400 {
            reader.report("cooldownSeconds", "expected a number of seconds from 0 to 86400")
        }
        reader.finish()
        if let elements, elements.isEmpty {
            reader.report("failover", "must list at least one connector config")
        }
        var members: [Member] = []
        for (index, element) in (elements ?? []).enumerated() {
            let (member, issues) = readMember(element, index: index, registry: registry)
            reader.report(contentsOf: issues)
            if let member { members.append(member) }
        }
        guard reader.issues.isEmpty else { return (nil, reader.issues) }
        return (FailoverConfig(members: members, cooldown: .milliseconds(Int64(seconds * 1000))), [])
    }

    private static func readMember(_ element: ConfigValue, index: Int, registry: ConnectorRegistry) -> (Member?, [ConfigIssue]) {
        let path = ConfigPath.root.appending("failover").appending(index: index)
        guard var object = element.objectValue else {
            return (nil, [ConfigIssue(path: path.description, message: "expected a connector config object, found \(element.typeDescription)")])
        }
        let id: String
        switch object.removeValue(forKey: connectorKey) {
        case nil, .null?:
            id = defaultConnectorID
        case .string(let text)?:
            id = text
        case let other?:
            return (nil, [ConfigIssue(path: path.appending(connectorKey).description, message: "expected a connector id, found \(other.typeDescription)")])
        }
        let connectorPath = path.appending(connectorKey).description
        guard id != FailoverConnectorFactory.id else {
            return (nil, [ConfigIssue(path: connectorPath, message: "a failover member cannot itself be a failover",
                                      hint: "List its members here directly.")])
        }
        guard let factory = registry.factory(id: id) else {
            let known = registry.available.map(\.id).filter { $0 != FailoverConnectorFactory.id }.joined(separator: ", ")
            return (nil, [ConfigIssue(path: connectorPath, message: "no connector is registered with id \"\(id)\"",
                                      hint: "Use one of: \(known).")])
        }
        let issues = factory.validate(.object(object)).map { $0.nested(under: path.description) }
        return (Member(index: index, connectorID: id, config: .object(object)), issues)
    }
}
