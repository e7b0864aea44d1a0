// The sanitizer canary: scripts/sanitize.sh builds this with the sanitizer it is about to run the
// suite under, and expects a report. If none comes, the sanitizer is not working, and a green
// suite would prove nothing.
import Foundation

nonisolated(unsafe) var unguarded = 0

switch CommandLine.arguments.dropFirst().first {
case "thread":
    // Two threads write one variable with nothing ordering them: a data race.
    let done = DispatchSemaphore(value: 0)
    for _ in 0..<2 {
        Thread {
            for _ in 0..<1_000 { unguarded += 1 }
            done.signal()
        }.start()
    }
    done.wait()
    done.wait()
    print(unguarded)
case "address":
    // One byte past the end of a heap allocation.
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
    bytes[8] = 1
    print(bytes[8])
    bytes.deallocate()
default:
    print("usage: canary thread|address")
    exit(2)
}
