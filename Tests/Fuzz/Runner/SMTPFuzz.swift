// smtp-fuzz: the fuzz targets of Tests/Fuzz/Checks behind one binary.
//
// Built by scripts/fuzz.sh with `-sanitize=fuzzer,address -D FUZZING`, it is a libFuzzer binary: it
// has no main of its own (libFuzzer's takes the corpus folder and options), and the target comes
// from the FUZZ_TARGET environment variable. Built plainly (as `swift build` does), it replays
// inputs instead: `smtp-fuzz TARGET FILE-OR-FOLDER...`, to reproduce a finding without the fuzzer.
import Foundation
import FuzzChecks

#if FUZZING
private let target: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"], let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("smtp-fuzz: set FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input. A broken invariant becomes a crash, which libFuzzer saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        try target.check(Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        fatalError("\(target.name): \(error)")
    }
    return 0
}

/// libFuzzer's driver, for an entry point of our own (below).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                             _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links a debug executable's entry point as `<module>_main` (so tests can import
/// executables), so libFuzzer's own `main` is never used: this starts its driver instead. Where
/// SwiftPM does not rename (release builds), libFuzzer's `main` runs and this is unused.
@_cdecl("smtp_fuzz_main")
public func smtpFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzOneInput)
}
#else
/// Replays inputs through a target's check.
@main
struct SMTPFuzz {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget.named(name), arguments.count > 1 else {
            print("usage: smtp-fuzz TARGET FILE-OR-FOLDER...   (targets: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))")
            exit(2)
        }
        var failures = 0
        var count = 0
        for path in arguments.dropFirst() {
            for file in FuzzCorpus.files(at: URL(fileURLWithPath: path)) {
                count += 1
                do {
                    try target.check(Array(try Data(contentsOf: file)))
                } catch {
                    failures += 1
                    print("\(file.path): \(error)")
                }
            }
        }
        print("\(target.name): \(count) inputs, \(failures) failed")
        exit(failures == 0 ? 0 : 1)
    }
}
#endif
