/// Where a connector's events go: a host's closure, or nowhere (the default).
///
/// With no handler an event is never even built: ``emit(_:)`` takes it as an autoclosure and
/// checks one optional first, so the default costs nothing measurable (Docs/Performance.md, "Events").
///
/// ```swift
/// let events = ConnectorEventHandler { event in
///     if event.level >= .warning { logger.warning("\(event)") }
/// }
/// let registry = ConnectorRegistry.standard(presets: .standard, events: events)
/// ```
public struct ConnectorEventHandler: Sendable {
    private let handle: (@Sendable (ConnectorEvent) -> Void)?

    /// Sends every event to `handle`, on the thread where it happened; `handle` must not block.
    /// - Parameters:
    ///   - handle: receives each event.
    public init(_ handle: @escaping @Sendable (ConnectorEvent) -> Void) {
        self.handle = handle
    }

    private init(nothing: Void) {
        handle = nil
    }

    /// Drops every event without building it: the default.
    public static let none = ConnectorEventHandler(nothing: ())

    /// Whether events go anywhere; check it before gathering costly details.
    public var isEnabled: Bool { handle != nil }

    /// Builds and delivers `event`, only when a handler is set.
    @inlinable
    public func emit(_ event: @autoclosure () -> ConnectorEvent) {
        if isEnabled { deliver(event()) }
    }

    /// Delivers an event that is already built.
    public func deliver(_ event: ConnectorEvent) {
        handle?(event)
    }

    /// A handler that adds `metadata` to every event (the event's own keys win), then delivers it
    /// here: how a ``FailoverConnector`` tags its members' events with `memberIndex`.
    /// - Parameters:
    ///   - metadata: the keys to add.
    public func adding(_ metadata: [String: ConnectorEvent.Value]) -> ConnectorEventHandler {
        guard let handle else { return .none }
        return ConnectorEventHandler { event in
            var event = event
            event.metadata.merge(metadata) { own, _ in own }
            handle(event)
        }
    }
}
