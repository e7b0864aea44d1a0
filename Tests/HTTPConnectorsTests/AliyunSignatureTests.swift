import ConnectorKit
import Foundation
import Testing
@testable import HTTPConnectors

/// Alibaba Cloud's RPC signature, checked against the worked example of its own documentation
/// (ECS DescribeRegions, AccessKeySecret "testsecret"), then the rules one by one.
@Suite struct AliyunSignatureTests {
    static let documented: [String: String] = [
        "Timestamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    ]

    @Test func theDocumentedExampleSignsAsDocumented() {
        #expect(AliyunSignature.stringToSign(Self.documented, method: "GET") ==
                "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
                + "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
                + "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
        #expect(AliyunSignature.sign(Self.documented, method: "GET", secret: "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    }

    @Test func percentEncodingKeepsOnlyTheUnreservedSet() {
        #expect(AliyunSignature.percentEncode("a b*c~d-e_f.g") == "a%20b%2Ac~d-e_f.g")
        #expect(AliyunSignature.percentEncode("验证码 é") == "%E9%AA%8C%E8%AF%81%E7%A0%81%20%C3%A9")
        #expect(AliyunSignature.percentEncode("a+b=c&d/e") == "a%2Bb%3Dc%26d%2Fe")
    }

    @Test func theSignatureDependsOnMethodSecretAndEveryValue() {
        let base = AliyunSignature.sign(Self.documented, method: "POST", secret: "s")
        #expect(base != AliyunSignature.sign(Self.documented, method: "GET", secret: "s"))
        #expect(base != AliyunSignature.sign(Self.documented, method: "POST", secret: "t"))
        var changed = Self.documented
        changed["Format"] = "JSON"
        #expect(base != AliyunSignature.sign(changed, method: "POST", secret: "s"))
    }

    @Test func directMailErrorCodesMapToErrorsWithHints() {
        func error(_ status: Int, _ code: String) -> ConnectorError? {
            AliyunSingleSendMail.error(status: status, body: Data(#"{"Code": "\#(code)", "Message": "m", "RequestId": "r-1"}"#.utf8))
        }
        #expect(error(400, "SignatureDoesNotMatch")?.code == .authorizationFailed)
        #expect(error(404, "InvalidAccessKeyId.NotFound")?.code == .authorizationFailed)
        let sender = error(400, "InvalidMailAddress.NotFound")
        #expect(sender?.code == .invalidConfig && sender?.issues.first?.path == "accountName")
        #expect(error(400, "InvalidToAddress")?.code == .invalidRequest)
        #expect(error(400, "Throttling.User")?.code == .rateLimitExceeded && error(400, "Throttling.User")?.isTransient == true)
        #expect(error(503, "ServiceUnavailable")?.isTransient == true)
        #expect(error(400, "InvalidMailAddress.NotFound")?.message.contains("RequestId r-1") == true)
        #expect(AliyunSingleSendMail.error(status: 200, body: Data(#"{"EnvId": "1", "RequestId": "r"}"#.utf8)) == nil)
        #expect(AliyunSingleSendMail.error(status: 200, body: Data("<html>captive portal</html>".utf8))?.code == .outcomeUnknown)
        #expect(AliyunSingleSendMail.error(status: 504, body: Data())?.code == .outcomeUnknown)
    }
}
