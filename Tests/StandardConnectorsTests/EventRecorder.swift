import ConnectorKit
import Synchronization

/// Keeps every event a connector reports, from any thread.
final class EventRecorder: Sendable {
    private let events = Mutex<[ConnectorEvent]>([])

    /// The handler to give a registry or connector.
    var handler: ConnectorEventHandler {
        ConnectorEventHandler { event in self.events.withLock { $0.append(event) } }
    }

    /// Everything recorded so far, in order.
    var all: [ConnectorEvent] { events.withLock { $0 } }

    /// The events named `name`.
    func named(_ name: ConnectorEvent.Name) -> [ConnectorEvent] { all.filter { $0.name == name } }
}
