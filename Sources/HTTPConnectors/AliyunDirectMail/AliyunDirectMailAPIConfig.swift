import ConnectorKit
import Foundation

/// The `aliyun-directmail-api` connector's configuration: an AccessKey pair, the verified sender
/// (`accountName`), DirectMail's options and the region.
///
/// ```json
/// { "connector": "aliyun-directmail-api", "accessKeyId": "LTAI…", "accessKeySecret": "…",
///   "accountName": "no-reply@mail.acme.com", "fromAlias": "Acme", "region": "ap-southeast-1",
///   "templates": [ ... ] }
/// ```
public struct AliyunDirectMailAPIConfig: ConnectorConfiguration, Equatable {
    /// `accessKeyId` (a RAM user's key with AliyunDirectMailFullAccess).
    public var accessKeyId: String
    /// `accessKeySecret`; never printed.
    public var accessKeySecret: String
    /// `addressType`: 1 sends from `accountName` itself (default), 0 from a random address of its domain.
    public var addressType: Int
    /// `replyToAddress`: use the reply-to address configured for the sender in the DirectMail console.
    public var replyToAddress: Bool
    /// `region`, e.g. `cn-hangzhou` (default) or `ap-southeast-1`.
    public var region: String
    var message: APIMessageSettings

    /// The default region's endpoint (cn-hangzhou).
    public static let defaultEndpoint = "https://dm.aliyuncs.com"

    /// DirectMail's endpoint per region (Alibaba Cloud's "Endpoints" page for DirectMail).
    public static let endpoints: [String: String] = [
        "cn-hangzhou": defaultEndpoint,
        "ap-southeast-1": "https://dm.ap-southeast-1.aliyuncs.com",
        "ap-southeast-2": "https://dm.ap-southeast-2.aliyuncs.com",
        "us-east-1": "https://dm.us-east-1.aliyuncs.com",
        "eu-central-1": "https://dm.eu-central-1.aliyuncs.com",
    ]

    /// How errors name this connector.
    public static let connectorName = "DirectMail API connector"
    /// Where its keys are described.
    public static let guide = "Docs/Connectors/AliyunDirectMailAPI.md"

    /// The configuration when `config` is usable, and every problem, each with its JSON path.
    public static func read(_ original: ConfigValue) -> (AliyunDirectMailAPIConfig?, issues: [ConfigIssue]) {
        // DirectMail names the sender AccountName and its display name FromAlias: as fromEmail they
        // are one value, "Alias <account>", which the shared message keys read.
        var config = original
        if let account = original["accountName"]?.stringValue, original["fromEmail"] == nil {
            let alias = original["fromAlias"]?.stringValue.map { "\"\($0.replacingOccurrences(of: "\"", with: ""))\" " } ?? ""
            config = config.setting(.string("\(alias)<\(account)>"), atPath: "fromEmail")
        }
        config = config.removing(path: "accountName").removing(path: "fromAlias")
        var reader = ConfigReader(config)
        if original["accountName"] == nil, original["fromEmail"] == nil {
            reader.report("accountName", "is required", hint: "The sender address you created and verified in the DirectMail console.")
        }
        let keyID = reader.string("accessKeyId", required: true, hint: "A RAM user's AccessKey ID with DirectMail permission.")
        let secret = reader.string("accessKeySecret", required: true, hint: "That AccessKey's secret.")
        let addressType = reader.integer("addressType", in: 0...1) ?? 1
        let replyToAddress = reader.bool("replyToAddress") ?? false
        let region = reader.optionalString("region") ?? "cn-hangzhou"
        if endpoints[region] == nil {
            reader.report("region", "\"\(region)\" is not a DirectMail region", hint: "Choose one of: \(endpoints.keys.sorted().joined(separator: ", ")).")
        }
        let message = APIMessageSettings.read(&reader, defaultEndpoint: endpoints[region] ?? defaultEndpoint)
        if message?.replyTo != nil {
            reader.report("replyTo", "DirectMail takes no reply address per message", hint: "Set replyToAddress: true and configure the address in the DirectMail console.")
        }
        reader.finish()
        guard let keyID, let secret, let message else { return (nil, reader.issues.map(Self.renamingFromEmail)) }
        return (AliyunDirectMailAPIConfig(accessKeyId: keyID, accessKeySecret: secret, addressType: addressType,
                                          replyToAddress: replyToAddress, region: region, message: message),
                reader.issues.map(Self.renamingFromEmail))
    }

    /// An issue about the composed `fromEmail` belongs to `accountName`, the key the user wrote.
    private static func renamingFromEmail(_ issue: ConfigIssue) -> ConfigIssue {
        guard issue.path == "fromEmail" else { return issue }
        var renamed = issue
        renamed.path = "accountName"
        return renamed
    }
}
