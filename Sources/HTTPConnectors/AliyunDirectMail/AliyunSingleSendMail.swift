import ConnectorKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MIME

/// DirectMail's `SingleSendMail` (API version 2015-11-23): the signed parameters of one message,
/// and what each answer means.
/// (https://www.alibabacloud.com/help/en/directmail/latest/singlesendmail)
enum AliyunSingleSendMail {
    /// Every parameter of the request, `Signature` included.
    /// - Parameters:
    ///   - nonce: SignatureNonce, unique per request (replays are refused).
    ///   - timestamp: the UTC time, `yyyy-MM-ddTHH:mm:ssZ`.
    static func parameters(content: RenderedContent, text: String?, to: [Mailbox], config: AliyunDirectMailAPIConfig,
                           nonce: String, timestamp: String) -> [String: String] {
        var parameters: [String: String] = [
            "AccountName": config.message.from.address, "AddressType": String(config.addressType),
            "ReplyToAddress": config.replyToAddress ? "true" : "false",
            "ToAddress": to.map(\.address).joined(separator: ","), "Subject": content.subject,
        ]
        if let alias = config.message.from.displayName { parameters["FromAlias"] = alias }
        if let html = content.html { parameters["HtmlBody"] = html }
        if let text { parameters["TextBody"] = text }
        return signed(action: "SingleSendMail", parameters, config: config, nonce: nonce, timestamp: timestamp)
    }

    /// `parameters` of DirectMail's `action` with the common ones added and the whole signed
    /// (RPC signature, HMAC-SHA1 v1; Version 2015-11-23).
    static func signed(action: String, _ parameters: [String: String], config: AliyunDirectMailAPIConfig,
                       nonce: String, timestamp: String) -> [String: String] {
        var all = parameters.merging([
            "Action": action, "Version": "2015-11-23", "Format": "JSON", "RegionId": config.region,
            "AccessKeyId": config.accessKeyId, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": nonce, "Timestamp": timestamp,
        ]) { own, _ in own }
        all["Signature"] = AliyunSignature.sign(all, method: "POST", secret: config.accessKeySecret)
        return all
    }

    /// A signed POST of `parameters` to the config's endpoint, as a form.
    static func request(_ parameters: [String: String], config: AliyunDirectMailAPIConfig) -> URLRequest {
        var request = URLRequest(url: config.message.endpoint.appendingPathComponent(""))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.httpBody = formBody(parameters)
        return request
    }

    /// The form body: each pair percent-encoded as the signature encodes it.
    static func formBody(_ parameters: [String: String]) -> Data {
        Data(AliyunSignature.canonicalQuery(parameters).utf8)
    }

    /// Nil for an accepted message; else the error DirectMail's `Code` and status say.
    static func error(status: Int, body: Data) -> ConnectorError? {
        let answer = try? ConfigValue.parse(json: body)
        let code = answer?["Code"]?.stringValue
        if (200...299).contains(status), code == nil {
            // Accepted only with DirectMail's own answer; anything else came from somewhere else.
            if answer?["EnvId"]?.stringValue != nil || answer?["RequestId"]?.stringValue != nil { return nil }
            return ConnectorError(.outcomeUnknown, "DirectMail answered \(status) without EnvId or RequestId", phase: .data,
                                  hint: "Check endpoint; then DirectMail's sending log before sending the message again.")
        }
        if status == 502 || status == 504 {
            return ConnectorError(.outcomeUnknown, "DirectMail's gateway answered \(status); the message may have been accepted", phase: .data,
                                  hint: "Check DirectMail's sending log before sending the message again.")
        }
        let message = answer?["Message"]?.stringValue.map { String($0.prefix(300)) } ?? "status \(status)"
        let requestID = answer?["RequestId"]?.stringValue.map { " (RequestId \($0))" } ?? ""
        let said = "DirectMail refused the request: \(code ?? "status \(status)"): \(message)\(requestID)"
        guard let code else {
            return status >= 500
                ? ConnectorError(.general, said, phase: .data, hint: "A later try may work.", isTransient: true)
                : ConnectorError(.invalidResponse, said, phase: .data, hint: "Check endpoint and region.")
        }
        switch code {
        case "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
             "Forbidden", "Forbidden.RAM", "Forbidden.AccessKeyDisabled", "NoPermission":
            return ConnectorError(.authorizationFailed, said, phase: .auth,
                                  hint: "Check accessKeyId and accessKeySecret, and that the RAM user has AliyunDirectMailFullAccess.")
        case "InvalidMailAddress.NotFound", "InvalidSendMail.NotFound", "InvalidAccountName", "InvalidMailAddress":
            return ConnectorError(.invalidConfig, said, phase: .mail,
                                  hint: "accountName must be a sender address created and verified in the DirectMail console, in this region.",
                                  issues: [ConfigIssue(path: "accountName", message: "DirectMail does not know it as a verified sender (\(code))")])
        case "InvalidToAddress", "InvalidToAddress.Spam", "InvalidReceiver", "InvalidRecipient":
            return ConnectorError(.invalidRequest, said, phase: .rcpt, hint: "Check the recipient addresses.")
        case _ where code.hasPrefix("Throttling") || code.hasPrefix("QuotaExceeded") || code.hasPrefix("OutOfQuota"):
            return ConnectorError(.rateLimitExceeded, said, phase: .data,
                                  hint: "DirectMail's daily or per-second quota is used up; wait, or raise it in the console.", isTransient: true)
        case "InvalidTimeStamp.Expired", "InvalidTimeStamp.Format":
            return ConnectorError(.general, said, phase: .data, hint: "Check this host's clock (the request time must be within 15 minutes).")
        case "InternalError", "ServiceUnavailable", "UnknownError":
            return ConnectorError(.general, said, phase: .data, hint: "A later try may work.", isTransient: true)
        default:
            return status >= 500
                ? ConnectorError(.general, said, phase: .data, hint: "A later try may work.", isTransient: true)
                : ConnectorError(.invalidRequest, said, phase: .data, hint: "DirectMail named the problem; see its error code reference.")
        }
    }
}
