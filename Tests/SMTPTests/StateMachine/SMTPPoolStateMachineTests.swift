import Testing
@testable import SMTP

/// The pool's policy, event by event, without a socket: exact actions for the main paths.
@Suite struct SMTPPoolStateMachineTests {
    typealias Machine = SMTPPoolStateMachine
    static let start = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }
    static func request(_ value: Int) -> Machine.RequestID { .init(value: value) }
    static func connection(_ value: Int) -> Machine.ConnectionID { .init(value: value) }

    @Test func aSendOpensAConnectionRunsOnItAndLeavesItIdle() {
        var machine = Machine(limits: .init(maxConnections: 2, idleTimeout: 30))
        #expect(machine.sendRequested(Self.request(0), now: Self.at(0)) == [.open(Self.connection(0))])
        #expect(machine.connectionOpened(Self.connection(0), now: Self.at(0.1))
                == [.run(Self.request(0), on: Self.connection(0), healthCheck: false, reused: false, idle: nil)])
        #expect(machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0.2))
                == [.finish(Self.request(0)), .scheduleTimer(Self.at(0.2) + .seconds(30))])
        #expect(machine.connectionCount == 1)
        // The next send reuses it (idle 0.3 s, under healthCheckAfter: no NOOP).
        #expect(machine.sendRequested(Self.request(1), now: Self.at(0.5))
                == [.run(Self.request(1), on: Self.connection(0), healthCheck: false, reused: true, idle: .seconds(0.3))])
    }

    @Test func aConnectionIdleLongerThanHealthCheckAfterGetsNOOPAndADeadOneCostsAFreshConnection() {
        var machine = Machine(limits: .init(maxConnections: 1, healthCheckAfter: 1))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        _ = machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0))
        #expect(machine.sendRequested(Self.request(1), now: Self.at(2))
                == [.run(Self.request(1), on: Self.connection(0), healthCheck: true, reused: true, idle: .seconds(2))])
        // NOOP failed: the send waits first in line, the connection closes at once, then a new one opens.
        #expect(machine.runFinished(Self.connection(0), .notAlive, now: Self.at(2.1))
                == [.retry(Self.request(1), .deadIdleConnection), .close(Self.connection(0), quit: false)])
        #expect(machine.connectionClosed(Self.connection(0), now: Self.at(2.2)) == [.open(Self.connection(1))])
    }

    @Test func maxConnectionsMakesSendsWaitAndAFinishedConnectionTakesTheNext() {
        var machine = Machine(limits: .init(maxConnections: 1))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        #expect(machine.sendRequested(Self.request(1), now: Self.at(0)) == [])
        #expect(machine.waitingCount == 1)
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        #expect(machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0.1))
                == [.finish(Self.request(0)), .run(Self.request(1), on: Self.connection(0), healthCheck: false, reused: true, idle: nil)])
    }

    @Test func aStaleReusedConnectionRetriesOnceAndAGarbageReplyDoesNot() {
        var machine = Machine(limits: .init(maxConnections: 1))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        _ = machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0))
        _ = machine.sendRequested(Self.request(1), now: Self.at(0.1))
        #expect(machine.runFinished(Self.connection(0), .failed(sessionReady: false, stale: true), now: Self.at(0.2))
                == [.retry(Self.request(1), .droppedConnection), .close(Self.connection(0), quit: false)])
        _ = machine.connectionClosed(Self.connection(0), now: Self.at(0.3))
        _ = machine.connectionOpened(Self.connection(1), now: Self.at(0.4))
        // On the new connection it is not stale (not reused), and a retry is never retried again.
        #expect(machine.runFinished(Self.connection(1), .failed(sessionReady: false, stale: true), now: Self.at(0.5))
                == [.finish(Self.request(1)), .close(Self.connection(1), quit: false)])
    }

    @Test func cancellingAWaitingSendFailsItAtOnceAndARunningOneCancelsItsConnection() {
        var machine = Machine(limits: .init(maxConnections: 1))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.sendRequested(Self.request(1), now: Self.at(0))
        #expect(machine.cancelled(Self.request(1), now: Self.at(0.1)) == [.fail(Self.request(1), .cancelledWhileWaiting)])
        #expect(machine.cancelled(Self.request(0), now: Self.at(0.1)) == [.cancelConnection(Self.connection(0))])
        // It opened all the same: the send fails and the connection is dropped, never reused.
        #expect(machine.connectionOpened(Self.connection(0), now: Self.at(0.2))
                == [.fail(Self.request(0), .cancelled), .close(Self.connection(0), quit: false)])
    }

    @Test func theRateLimitHoldsASendUntilTheWindowHasRoom() {
        var machine = Machine(limits: .init(maxConnections: 2, rateLimit: 1, rateWindow: 10))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        #expect(machine.sendRequested(Self.request(1), now: Self.at(1)) == [.scheduleTimer(Self.at(10))])
        #expect(machine.timerFired(now: Self.at(10)) == [.open(Self.connection(1))])
    }

    @Test func idleConnectionsExpireWhenTheTimerFires() {
        var machine = Machine(limits: .init(idleTimeout: 5))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        _ = machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(1))
        #expect(machine.timerFired(now: Self.at(5.9)) == [])
        #expect(machine.timerFired(now: Self.at(6)) == [.close(Self.connection(0), quit: true)])
    }

    @Test func shutdownFailsWaitingSendsQuitsIdleOnesAndFinishesWhenTheLastCloses() {
        var machine = Machine(limits: .init(maxConnections: 2))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        _ = machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0))  // idle
        _ = machine.sendRequested(Self.request(1), now: Self.at(0))  // runs on connection 0
        _ = machine.sendRequested(Self.request(2), now: Self.at(0))  // opens connection 1
        _ = machine.sendRequested(Self.request(3), now: Self.at(0))  // waits
        #expect(machine.shutdown(now: Self.at(1)) == [.fail(Self.request(3), .shutDown)])
        #expect(machine.sendRequested(Self.request(4), now: Self.at(1)) == [.fail(Self.request(4), .shutDown)])
        #expect(machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(2))
                == [.finish(Self.request(1)), .close(Self.connection(0), quit: true)])
        #expect(machine.connectionClosed(Self.connection(0), now: Self.at(3)) == [])
        #expect(machine.connectionFailedToOpen(Self.connection(1), now: Self.at(3))
                == [.fail(Self.request(2), .openFailed), .shutdownFinished])
    }

    @Test func aUsedUpConnectionIsClosedWithQUIT() {
        var machine = Machine(limits: .init(maxMessagesPerConnection: 1))
        _ = machine.sendRequested(Self.request(0), now: Self.at(0))
        _ = machine.connectionOpened(Self.connection(0), now: Self.at(0))
        #expect(machine.runFinished(Self.connection(0), .delivered(sessionReady: true), now: Self.at(0))
                == [.finish(Self.request(0)), .close(Self.connection(0), quit: true)])
    }
}
