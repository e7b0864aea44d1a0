import DevServer
import Foundation
import Locking
import NetworkIO
import Testing
@testable import SMTP
import SMTPWire

/// Blocking work runs on a bounded executor: never a thread per send, never the cooperative pool.
@Suite struct ExecutorTests {
    /// Threads of this process whose name is `name` (Linux `comm`, read from /proc).
    static func threads(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    /// 200 sends on fresh connections, all held at the greeting at once: they occupy at most the
    /// executor's 16 threads (the rest wait their turn), and the cooperative pool stays free to run
    /// other work meanwhile. No timer decides anything: the server greets only when told.
    @Test func twoHundredConcurrentSendsUseAtMostTheCapAndLeaveTheCooperativePoolFree() async throws {
        var serverConfiguration = DevServerConfiguration()
        serverConfiguration.users = ["u": "p"]
        serverConfiguration.holdGreetings = true
        let server = try DevServer(serverConfiguration)
        try server.start()
        defer { server.stop() }
        let executor = BlockingExecutor(name: "smtp-io-cap16", maxThreads: 16)
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSRequired)
        configuration.tls.trustedCertificatesPEM = server.certificatePEM
        configuration.credentials = SMTPCredentials(user: "u", password: "p")
        configuration.timeouts = .init(connection: 60, greeting: 120, socket: 60)
        configuration.executor = executor
        let client = try SMTPClient(configuration: configuration)

        let sends = Task {
            await withTaskGroup(of: Bool.self) { group -> Int in
                for index in 0..<200 {
                    group.addTask {
                        let envelope = SMTPEnvelope(from: "app@example.test", recipients: ["user\(index)@example.test"])
                        return (try? await client.send(envelope: envelope, message: Array("Subject: \(index)\r\n\r\nhi\r\n".utf8))) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        // Wait until the executor is full: 16 connections sit in the greeting.
        while server.connectionCount < 16 { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(Self.threads(named: "smtp-io-cap16") == 16)
        // Every executor thread is blocked in a read; the cooperative pool still runs this work.
        let probe = await Task.detached { (1...1000).reduce(0, +) }.value
        #expect(probe == 500_500)
        server.releaseGreetings()
        #expect(await sends.value == 200)
        #expect(Set(server.messages.flatMap(\.recipients)).count == 200)
        #expect(executor.threadCount == 16)
        #expect(Self.threads(named: "smtp-io-cap16") == 16)
    }

    @Test func jobsBeyondTheCapWaitForAFreeThread() async throws {
        let executor = BlockingExecutor(name: "cap2-test", maxThreads: 2)
        let gate = DispatchSemaphore(value: 0)
        let order = Locked<[Int]>([])
        let blocked = Locked(0)
        for index in 0..<6 {
            executor.execute {
                if index < 2 {
                    blocked.withLock { $0 += 1 }
                    gate.wait()
                }
                order.withLock { $0.append(index) }
            }
        }
        // Wait until both threads run a blocked job: each has named itself by then. (Releasing the
        // gate earlier let one thread run all six jobs on a loaded machine before the second
        // thread was even scheduled.)
        let deadline = ContinuousClock.now + .seconds(120)
        while blocked.withLock({ $0 }) < 2, ContinuousClock.now < deadline {
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        #expect(blocked.withLock { $0 } == 2)
        // Two threads are blocked; jobs 2...5 wait in the queue.
        #expect(executor.threadCount == 2)
        #expect(executor.queuedJobs == 4)
        #expect(order.withLock { $0 }.isEmpty)
        gate.signal()
        gate.signal()
        let done = try await executor.run { order.withLock { $0.count } }
        #expect(done >= 6 - 1)  // job 5 may still be running on the other thread
        #expect(executor.threadCount == 2)
        #expect(Self.threads(named: "cap2-test") == 2)
    }
}
