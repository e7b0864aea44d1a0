import ConnectorKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPSupport
import NetworkIO

/// Sending one API request and turning transport failures into ``ConnectorError``s by what they
/// mean for the message: not sent (another provider may be tried), or outcome unknown (a request
/// that may have arrived is never retried and never failed over).
enum APIExchange {
    /// Sends `request` with `fetcher`; the response whatever its status.
    static func send(_ request: URLRequest, with fetcher: HTTPFetcher, service: String) async throws -> HTTPFetcher.Response {
        do {
            return try await fetcher.fetch(request)
        } catch let failure as HTTPFetchError {
            switch failure {
            case .notSent(let reason):
                let certificate = reason.lowercased().contains("certificate")
                return try fail(ConnectorError(certificate ? .tlsFailed : .socketError,
                                               "\(service) could not be reached: \(reason); nothing was sent", phase: .connect,
                                               hint: certificate ? "The endpoint's certificate was not trusted; check endpoint (TLS is always verified)."
                                                                 : "Check endpoint and this host's network and DNS.",
                                               isTransient: true))
            case .noResponse(let reason):
                return try fail(ConnectorError(.outcomeUnknown, "\(service) did not answer: \(reason); the request may have been accepted",
                                               phase: .data, hint: "Check the provider's activity log before sending the message again."))
            case .tooLarge(let limit):
                return try fail(ConnectorError(.invalidResponse, "\(service) answered with more than \(limit) bytes", phase: .data,
                                               hint: "Check endpoint: it does not look like the provider's API."))
            case .cancelled:
                return try fail(ConnectorError(.cancelled, "the send was cancelled"))
            }
        }
    }

    private static func fail(_ error: ConnectorError) throws -> HTTPFetcher.Response { throw error }

    /// The bytes of every attachment given by path, read on a blocking-I/O thread.
    static func loadingFiles(_ attachments: [EmailAttachment], disableFileAccess: Bool) async throws -> [(EmailAttachment, Data)] {
        try await BlockingExecutor.shared.run {
            try attachments.enumerated().map { index, attachment in
                (attachment, try attachment.contents(index: index, disableFileAccess: disableFileAccess))
            }
        }
    }
}
