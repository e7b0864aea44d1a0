import ConnectorKit
import Logging

extension ConnectorEventHandler {
    /// A handler that logs every connector event to `logger`, at the event's level (the seven
    /// levels are swift-log's), as its name (`send.finished`) with its metadata: the connector,
    /// the duration in milliseconds and every key of ``ConnectorEvent/metadata``. Events never
    /// carry a password, token, key, body or template value, so neither does the log.
    ///
    /// An event below `logger.logLevel` costs one comparison: its metadata is never converted.
    ///
    /// ```swift
    /// let registry = ConnectorRegistry.standard(presets: .standard, events: .logging(to: Logger(label: "mail")))
    /// ```
    /// - Parameter logger: where events go; its level decides which are written.
    public static func logging(to logger: Logger) -> ConnectorEventHandler {
        ConnectorEventHandler { event in
            let level = Logger.Level(event.level)
            guard logger.logLevel <= level else { return }
            logger.log(level: level, "\(event.name.rawValue)", metadata: Logger.Metadata(event), source: "ConnectorKit")
        }
    }
}

extension Logger.Level {
    /// The swift-log level of a connector event's level (they are the same seven).
    public init(_ level: ConnectorEvent.Level) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}

extension Logger.Metadata {
    /// An event's details as log metadata: `connector`, `duration_ms` when it ends a step, and each
    /// of its own keys (strings as strings, numbers and flags as their text).
    public init(_ event: ConnectorEvent) {
        self.init()
        self["connector"] = .string(event.connector)
        if let milliseconds = event.durationMilliseconds { self["duration_ms"] = .stringConvertible(milliseconds) }
        for (key, value) in event.metadata {
            switch value {
            case .string(let text): self[key] = .string(text)
            case .int(let number): self[key] = .stringConvertible(number)
            case .double(let number): self[key] = .stringConvertible(number)
            case .bool(let flag): self[key] = .stringConvertible(flag)
            }
        }
    }
}
