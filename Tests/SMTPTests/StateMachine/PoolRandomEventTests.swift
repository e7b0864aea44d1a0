import Testing
import TestSupport
@testable import SMTP

/// Random events against the pool machine, with its rules checked after every one: every send
/// ends exactly once, never more than `maxConnections`, no send on a failed, cancelled, used-up or
/// closing connection, and shutdown drains.
@Suite struct PoolRandomEventTests {
    typealias Machine = SMTPPoolStateMachine

    typealias Generator = SeededGenerator

    /// What the simulated driver has in hand, and what it has seen.
    struct World {
        var machine: Machine
        var now = ContinuousClock.now
        var nextRequest = 0
        var live: Set<Machine.RequestID> = []
        var ended: Set<Machine.RequestID> = []
        var opening: Set<Machine.ConnectionID> = []
        var running: [Machine.ConnectionID: Machine.RequestID] = [:]
        var closing: Set<Machine.ConnectionID> = []
        /// Connections that must never run a send again (failed, cancelled, used up).
        var spoiled: Set<Machine.ConnectionID> = []
        var messages: [Machine.ConnectionID: Int] = [:]
        var shutdownFinished = false
        var problems: [String] = []

        mutating func apply(_ actions: [Machine.Action]) {
            for action in actions {
                switch action {
                case .open(let id):
                    opening.insert(id)
                case .run(let request, let id, _, _, _):
                    if spoiled.contains(id) { problems.append("\(request) ran on spoiled \(id)") }
                    if closing.contains(id) || running[id] != nil { problems.append("\(request) ran on busy or closing \(id)") }
                    if !live.contains(request) { problems.append("\(request) ran after it ended") }
                    running[id] = request
                case .finish(let request), .fail(let request, _):
                    if !live.contains(request) { problems.append("\(request) ended twice or was never sent") }
                    live.remove(request)
                    ended.insert(request)
                case .retry(let request, _):
                    if !live.contains(request) { problems.append("\(request) retried after it ended") }
                case .close(let id, _):
                    closing.insert(id)
                case .cancelConnection(let id):
                    spoiled.insert(id)
                case .scheduleTimer, .shutdownFinished:
                    if case .shutdownFinished = action { shutdownFinished = true }
                }
            }
            if machine.connectionCount > machine.limits.maxConnections {
                problems.append("\(machine.connectionCount) connections counted, over \(machine.limits.maxConnections)")
            }
        }

        mutating func step(_ random: inout Generator, allowNewSends: Bool) {
            now = now + .milliseconds(Int.random(in: 0...400, using: &random))
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where allowNewSends:
                let id = Machine.RequestID(value: nextRequest)
                nextRequest += 1
                live.insert(id)
                apply(machine.sendRequested(id, now: now))
            case 1:
                if let request = live.randomElement(using: &random) { apply(machine.cancelled(request, now: now)) }
            case 2:
                guard let id = opening.randomElement(using: &random) else { return }
                opening.remove(id)
                apply(Bool.random(using: &random) ? machine.connectionOpened(id, now: now) : machine.connectionFailedToOpen(id, now: now))
            case 3, 4:
                guard let (id, _) = running.randomElement(using: &random) else { return }
                running[id] = nil
                let ready = Int.random(in: 0..<4, using: &random) > 0
                let result: Machine.RunResult = switch Int.random(in: 0..<3, using: &random) {
                case 0: .delivered(sessionReady: ready)
                case 1: .failed(sessionReady: ready, stale: Bool.random(using: &random))
                default: .notAlive
                }
                if case .delivered = result { messages[id, default: 0] += 1 }
                if !ready || result == .notAlive || messages[id, default: 0] >= machine.limits.maxMessagesPerConnection {
                    spoiled.insert(id)
                }
                apply(machine.runFinished(id, result, now: now))
            case 5:
                guard let id = closing.randomElement(using: &random) else { return }
                closing.remove(id)
                apply(machine.connectionClosed(id, now: now))
            default:
                apply(machine.timerFired(now: now))
            }
        }
    }

    @Test func randomEventsKeepThePoolsRules() async {
        // Under ThreadSanitizer this is seconds of CPU: on a thread of its own, off the cooperative pool.
        await OwnThreadExecutor.run { Self.randomRuns() }
    }

    private static func randomRuns() {
        for seed in UInt64(1)...300 {
            var random = Generator(state: seed)
            let limits = SMTPPool.Limits(maxConnections: Int.random(in: 1...4, using: &random),
                                         maxMessagesPerConnection: Int.random(in: 1...5, using: &random),
                                         rateLimit: Bool.random(using: &random) ? Int.random(in: 1...3, using: &random) : nil,
                                         rateWindow: 1, idleTimeout: Double.random(in: 0.5...3, using: &random),
                                         healthCheckAfter: 0.5)
            var world = World(machine: Machine(limits: limits))
            for _ in 0..<200 { world.step(&random, allowNewSends: true) }
            world.apply(world.machine.shutdown(now: world.now))
            // Drain: whatever is in flight ends; nothing new may start.
            var rounds = 0
            while !(world.opening.isEmpty && world.running.isEmpty && world.closing.isEmpty), rounds < 10_000 {
                world.step(&random, allowNewSends: false)
                rounds += 1
            }
            world.apply(world.machine.timerFired(now: world.now + .seconds(60)))
            #expect(world.problems.isEmpty, "seed \(seed): \(world.problems.prefix(3))")
            #expect(world.live.isEmpty, "seed \(seed): sends never ended: \(world.live.sorted().prefix(5))")
            #expect(world.ended.count == world.nextRequest, "seed \(seed)")
            #expect(world.machine.connectionCount == 0, "seed \(seed): connections left after shutdown")
            #expect(world.shutdownFinished, "seed \(seed): shutdown never finished")
            if !world.problems.isEmpty || !world.live.isEmpty { return }
        }
    }
}
