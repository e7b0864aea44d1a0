import ConnectorKit
import ConnectorLogging
import Foundation
import Logging
import Testing

/// What a ``RecordingLogHandler`` was given, in order.
final class LogRecord: @unchecked Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }
    var entries: [Entry] { lock.withLock { stored } }
}

/// A LogHandler that keeps what it is given.
struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(level: Logger.Level, into record: LogRecord) {
        logLevel = level
        self.record = record
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        record.append(LogRecord.Entry(level: level, message: message.description, metadata: metadata ?? [:]))
    }
}

@Suite struct ConnectorLoggingTests {
    private func logger(level: Logger.Level) -> (Logger, LogRecord) {
        let record = LogRecord()
        return (Logger(label: "mail") { _ in RecordingLogHandler(level: level, into: record) }, record)
    }

    @Test func eachEventIsLoggedAtItsLevelWithItsMetadata() {
        let (logger, entries) = logger(level: .trace)
        let events = ConnectorEventHandler.logging(to: logger)
        events.emit(ConnectorEvent(.sendFinished, level: .info, connector: "gmail", duration: .milliseconds(12),
                                   metadata: ["outcome": "delivered", "messageId": "abc@example.test", "rejected": 0]))
        events.emit(ConnectorEvent(.failoverHop, level: .warning, connector: "failover", metadata: ["memberIndex": 1, "retry": true]))
        let logged = entries.entries
        #expect(logged.count == 2)
        #expect(logged[0].level == .info && logged[0].message == "send.finished")
        #expect(logged[0].metadata["connector"] == "gmail" && logged[0].metadata["outcome"] == "delivered")
        #expect(logged[0].metadata["duration_ms"]?.description == "12.0" && logged[0].metadata["rejected"]?.description == "0")
        #expect(logged[1].level == .warning && logged[1].metadata["memberIndex"]?.description == "1")
    }

    @Test func eventsBelowTheLoggersLevelAreDropped() {
        let (logger, entries) = logger(level: .warning)
        let events = ConnectorEventHandler.logging(to: logger)
        for level in ConnectorEvent.Level.allCases {
            events.emit(ConnectorEvent(.sendFinished, level: level, connector: "smtp"))
        }
        #expect(entries.entries.map(\.level) == [.warning, .error, .critical])
    }

    @Test func everyLevelMapsToTheSameSwiftLogLevel() {
        #expect(ConnectorEvent.Level.allCases.map { Logger.Level($0).rawValue } == ConnectorEvent.Level.allCases.map(\.rawValue))
    }
}
