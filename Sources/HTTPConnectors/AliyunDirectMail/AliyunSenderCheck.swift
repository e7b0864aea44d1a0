import ConnectorKit
import Foundation

/// What DirectMail's answer to `QueryMailAddressByParam` says about a config, as doctor shows it:
/// an `https` step (the AccessKey and its signature were accepted) and a `sender` step (the
/// account name is a sender address of this account in this region, not frozen, its domain verified).
/// (https://www.alibabacloud.com/help/en/direct-mail/api-dm-2015-11-23-querymailaddressbyparam)
enum AliyunSenderCheck {
    static func diagnosis(status: Int, body: Data, config: AliyunDirectMailAPIConfig, milliseconds: Int) -> ConnectorDiagnosis {
        typealias Step = ConnectorDiagnosis.Step
        // The same error mapping as a send: a bad key or signature is `authorization_failed` with its
        // fix, and anything but DirectMail's own JSON answer (with its RequestId) is an error too.
        if let error = AliyunSingleSendMail.error(status: status, body: body) {
            return ConnectorDiagnosis(steps: [Step(name: "https", status: .fail, milliseconds: milliseconds, detail: error.message, hint: error.hint)])
        }
        let answer = try? ConfigValue.parse(json: body)
        let https = Step(name: "https", status: .pass, milliseconds: milliseconds,
                         detail: "DirectMail (\(config.region)) accepted the AccessKey and its signature")
        let account = config.message.from.address
        let addresses = answer?["data"]?["mailAddress"]?.arrayValue ?? []
        guard let entry = addresses.first(where: { text($0["AccountName"])?.lowercased() == account.lowercased() }) else {
            return ConnectorDiagnosis(steps: [https, Step(
                name: "sender", status: .fail, milliseconds: 0,
                detail: "\(account) is not a sender address of this account in \(config.region)",
                hint: "Create and verify it in the DirectMail console (Sender Addresses) in region \(config.region), or fix accountName.")])
        }
        let sendType = text(entry["Sendtype"]) ?? "unknown"
        if text(entry["AccountStatus"]) == "1" {
            return ConnectorDiagnosis(steps: [https, Step(
                name: "sender", status: .fail, milliseconds: 0, detail: "\(account) is frozen",
                hint: "See the DirectMail console for why it was frozen; a frozen sender address cannot send.")])
        }
        if text(entry["DomainStatus"]) == "1" {
            return ConnectorDiagnosis(steps: [https, Step(
                name: "sender", status: .fail, milliseconds: 0, detail: "the domain of \(account) is not verified",
                hint: "Add the DNS records the DirectMail console shows for the domain, then verify it there.")])
        }
        return ConnectorDiagnosis(steps: [https, Step(name: "sender", status: .pass, milliseconds: 0,
                                                     detail: "\(account) may send (\(sendType) address, domain verified)")])
    }

    /// DirectMail sends these fields as numbers in some answers and as strings in others.
    private static func text(_ value: ConfigValue?) -> String? {
        if let string = value?.stringValue { return string }
        if let number = value?.numberValue, number.rounded() == number { return String(Int(number)) }
        return nil
    }
}
