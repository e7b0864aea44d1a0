/// The `send.started` and `send.finished` events of one connector, shaped the same for every
/// connector (SMTP, sendmail, HTTP APIs, a third party's): what a log or metrics handler reads.
public struct SendEvents: Sendable {
    /// Where events go.
    public let handler: ConnectorEventHandler
    /// The connector id events carry (`smtp`, `gmail`, `sendgrid-api`, ...).
    public let connector: String

    /// Events for `connector` into `handler`.
    /// - Parameters:
    ///   - handler: where events go.
    ///   - connector: the id events carry.
    public init(handler: ConnectorEventHandler, connector: String) {
        self.handler = handler
        self.connector = connector
    }

    /// `send.started`.
    public func started(messageID: String, usageType: String, recipients: Int) {
        handler.emit(ConnectorEvent(.sendStarted, level: .debug, connector: connector,
                                    metadata: ["messageId": .string(messageID), "usageType": .string(usageType),
                                               "recipients": .int(recipients)]))
    }

    /// `send.finished` for a delivered (or, for a local MTA, queued) message.
    public func delivered(messageID: String, usageType: String, rejected: Int, after duration: Duration) {
        handler.emit(ConnectorEvent(.sendFinished, level: .info, connector: connector, duration: duration,
                                    metadata: ["outcome": "delivered", "messageId": .string(messageID),
                                               "usageType": .string(usageType), "rejected": .int(rejected)]))
    }

    /// `send.finished` for a failure, at level `error` whether the outcome is known or not: an
    /// unknown outcome needs a person as much as a failure does.
    public func failed(_ error: ConnectorError, messageID: String?, usageType: String, after duration: Duration) {
        handler.emit({
            var metadata = error.eventMetadata
            metadata["usageType"] = .string(usageType)
            if let messageID { metadata["messageId"] = .string(messageID) }
            return ConnectorEvent(.sendFinished, level: .error, connector: connector, duration: duration, metadata: metadata)
        }())
    }
}
