import ConnectorKit
import Locking

/// Keeps every event a connector reports, from any thread.
public final class EventRecorder: Sendable {
    private let events = Locked<[ConnectorEvent]>([])

    /// An empty recorder.
    public init() {}

    /// The handler to give a registry or connector.
    public var handler: ConnectorEventHandler {
        ConnectorEventHandler { event in self.events.withLock { $0.append(event) } }
    }

    /// Everything recorded so far, in order.
    public var all: [ConnectorEvent] { events.withLock { $0 } }

    /// The events named `name`.
    public func named(_ name: ConnectorEvent.Name) -> [ConnectorEvent] { all.filter { $0.name == name } }
}
