@testable import Console
import Testing

/// Token, Host (DNS rebinding) and CSRF checks, each shown to refuse what it exists to refuse.
@Suite struct ConsoleAccessPolicyTests {
    @Test func anAPIPathWithExtraSlashesStillWantsTheHeader() {
        let policy = ConsoleAccessPolicy(token: "tok", host: "127.0.0.1", port: 8025)
        var headers = HTTPHeaders()
        headers.append(name: "Host", value: "127.0.0.1:8025")
        for path in ["//api/state", "/api//state", "/api/state"] {
            let request = HTTPRequest(method: "GET", path: path, query: ["token": "tok"], headers: headers, body: [], closesConnection: false)
            #expect(policy.refusal(request) != nil, "\(path): the API took the token from the URL")
        }
        let page = HTTPRequest(method: "GET", path: "/", query: ["token": "tok"], headers: headers, body: [], closesConnection: false)
        #expect(policy.refusal(page) == nil)
    }

    private let policy = ConsoleAccessPolicy(token: "s3cret-token", host: "127.0.0.1", port: 8025)

    private func request(_ method: String = "GET", _ target: String = "/api/connectors",
                         _ headers: [(String, String)]) throws -> HTTPRequest {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        var parser = HTTPRequestParser()
        parser.feed(Array((text + "\r\n").utf8))
        return try #require(try parser.next())
    }

    private let good = [("Host", "127.0.0.1:8025"), ("Authorization", "Bearer s3cret-token")]

    @Test func aRequestWithTokenAndOwnHostPasses() throws {
        #expect(policy.refusal(try request("GET", "/api/connectors", good)) == nil)
        #expect(policy.refusal(try request("GET", "/api/connectors", [("Host", "localhost:8025"), good[1]])) == nil)
    }

    @Test func withoutTheRightTokenEveryRequestIsRefused() throws {
        #expect(policy.refusal(try request("GET", "/api/connectors", [good[0]])) != nil)
        #expect(policy.refusal(try request("GET", "/api/connectors", [good[0], ("Authorization", "Bearer s3cret-tokeN")])) != nil)
        #expect(policy.refusal(try request("GET", "/api/connectors", [good[0], ("Authorization", "Bearer s3cret-token-longer")])) != nil)
        #expect(policy.refusal(try request("GET", "/", [good[0]])) != nil)
        // The page itself may come with the token in its URL, the API may not.
        #expect(policy.refusal(try request("GET", "/?token=s3cret-token", [good[0]])) == nil)
        #expect(policy.refusal(try request("GET", "/api/connectors?token=s3cret-token", [good[0]])) != nil)
    }

    @Test func anotherHostNameIsRefusedEvenWithTheToken() throws {
        for host in ["evil.example:8025", "127.0.0.1:8026", "127.0.0.1", "localhost"] {
            #expect(policy.refusal(try request("GET", "/api/connectors", [("Host", host), good[1]])) != nil, "\(host)")
        }
    }

    @Test func stateChangingRequestsNeedTheCustomHeaderAndTheOwnOrigin() throws {
        let marked = good + [("X-Console-Request", "1")]
        #expect(policy.refusal(try request("POST", "/api/send-test", good)) != nil)
        #expect(policy.refusal(try request("POST", "/api/send-test", marked)) == nil)
        #expect(policy.refusal(try request("POST", "/api/send-test", marked + [("Origin", "http://127.0.0.1:8025")])) == nil)
        #expect(policy.refusal(try request("POST", "/api/send-test", marked + [("Origin", "http://evil.example")])) != nil)
        #expect(policy.refusal(try request("DELETE", "/api/messages/1", marked + [("Origin", "null")])) != nil)
    }

    @Test func anIPv6ListenAddressIsMatchedInBrackets() throws {
        let v6 = ConsoleAccessPolicy(token: "t", host: "::1", port: 9000)
        #expect(v6.allowedHosts == ["[::1]:9000", "localhost:9000"])
    }
}
