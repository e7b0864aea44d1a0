import ConnectorKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPSupport

/// What every HTTP API connector does around its own request: the fetcher (with the connector's
/// timeout; its URLSession is shared with every fetcher of that timeout) and the `send.started`
/// and `send.finished` events, timed.
struct APISession: Sendable {
    /// What a connector's request needs said about it before it is sent.
    struct Prepared {
        /// The request, ready to send.
        var request: URLRequest
        /// How many recipients it names, for `send.started`.
        var recipients: Int
    }

    let fetcher: HTTPFetcher
    let events: SendEvents
    /// How errors name the provider: "SendGrid", "DirectMail".
    let service: String

    init(connector: String, service: String, timeout: Double, events: ConnectorEventHandler) {
        fetcher = HTTPFetcher(timeout: timeout)
        self.events = SendEvents(handler: events, connector: connector)
        self.service = service
    }

    /// Prepares the request, reports `send.started`, sends it, reads the answer into a receipt,
    /// and reports `send.finished` either way.
    /// - Parameters:
    ///   - request: what is being sent, for the events' usage type.
    ///   - prepare: renders and checks the message and builds the HTTP request.
    ///   - receipt: reads the answer; throws the provider's error.
    func send(_ request: EmailRequest, prepare: () async throws -> Prepared,
              receipt: (HTTPFetcher.Response) throws -> SendReceipt) async throws -> SendReceipt {
        let started = ContinuousClock.now
        let usageType = request.usageType.rawValue
        do {
            let prepared = try await prepare()
            events.started(messageID: "", usageType: usageType, recipients: prepared.recipients)
            let answered = try receipt(try await APIExchange.send(prepared.request, with: fetcher, service: service))
            events.delivered(messageID: answered.messageID, usageType: usageType, rejected: 0, after: started.duration(to: .now))
            return answered
        } catch let error as ConnectorError {
            events.failed(error, messageID: nil, usageType: usageType, after: started.duration(to: .now))
            throw error
        }
    }
}
