import Foundation
import Locking

/// A connector that sends nothing and remembers every request: for host apps' own tests.
///
/// ```swift
/// let recorder = RecordingConnector()
/// try await signUpFlow(mailer: recorder)
/// #expect(recorder.requests.first?.payload["code"] == "123456")
/// ```
public final class RecordingConnector: EmailConnector {
    private let recorded = Locked<[EmailRequest]>([])
    private let failure: ConnectorError?

    /// Metadata with id "recording".
    public let metadata = ConnectorMetadata(id: "recording", name: "Recording connector",
                                            description: "Keeps requests in memory instead of sending them.")

    /// Creates a recorder.
    /// - Parameter failure: when set, every `send` records the request and then throws this error.
    public init(failing failure: ConnectorError? = nil) {
        self.failure = failure
    }

    /// Every request sent so far, oldest first.
    public var requests: [EmailRequest] {
        recorded.withLock { $0 }
    }

    /// Records `request`; throws the configured failure, if any.
    public func send(_ request: EmailRequest) async throws -> SendReceipt {
        let count = recorded.withLock { recorded -> Int in
            recorded.append(request)
            return recorded.count
        }
        if let failure { throw failure }
        return SendReceipt(messageID: "recorded-\(count)@localhost", accepted: request.to, response: "250 recorded")
    }
}
