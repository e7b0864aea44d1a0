import Foundation
import Glibc
import NetworkIO

/// Runs a sendmail program once: the message on its standard input, its standard error kept (the
/// last 8 KiB), its exit status returned. Blocking: run it on a blocking-I/O thread.
///
/// - No shell: `posix_spawn` with the argument vector as it is.
/// - No descriptor leaks into the child: its standard input and error are our pipes, standard output
///   is /dev/null, and every other descriptor is closed in the child (`closefrom` semantics, even
///   for descriptors the host app opened without close-on-exec).
/// - The child starts with default signal dispositions (this process ignores SIGPIPE) in a process
///   group of its own, so a timeout kills it and whatever it started.
struct SendmailProcess {
    /// The threads sendmail programs run on: their own, so programs that hang until their timeout
    /// never take the SMTP client's I/O threads.
    static let executor = BlockingExecutor(name: "sendmail", maxThreads: 32)

    /// How a run ended.
    enum Ending: Equatable {
        /// The program exited with this status.
        case exited(Int32)
        /// A signal ended it (not one of ours).
        case signalled(Int32)
        /// The time ran out and it was killed; `inputComplete` says whether the whole message (and
        /// its end) had been handed over by then.
        case timedOut(inputComplete: Bool)
        /// The send was cancelled and it was killed; `inputComplete` as for ``timedOut(inputComplete:)``.
        case cancelled(inputComplete: Bool)
    }

    /// What the program said and how it ended.
    struct Result {
        var ending: Ending
        /// Its standard error, trimmed; the last 8 KiB at most.
        var errorOutput: String
        /// Whether it took the whole message (and its end) before it ended.
        var inputComplete: Bool
    }

    /// A spawn failure: the program could not be started at all.
    struct SpawnFailure: Error {
        var errno: Int32
    }

    let arguments: [String]
    let input: [UInt8]
    let timeout: Double

    /// Starts the program, hands it `input`, and waits for it to end, for `timeout` to pass or for
    /// `token` to be cancelled (seen within 20 ms).
    /// - Throws: ``SpawnFailure`` when the program cannot be started (missing, not executable).
    func run(token: CancellationToken) throws -> Result {
        _ = Self.ignoreSIGPIPE
        var inputPipe: [Int32] = [-1, -1], errorPipe: [Int32] = [-1, -1]
        guard pipe(&inputPipe) == 0 else { throw SpawnFailure(errno: errno) }
        guard pipe(&errorPipe) == 0 else {
            inputPipe.forEach { close($0) }
            throw SpawnFailure(errno: errno)
        }
        // Close-on-exec at once, so no other process this one starts meanwhile inherits them
        // (pipe2 with O_CLOEXEC is not visible to Swift on Glibc).
        for descriptor in inputPipe + errorPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(stdin: inputPipe[0], stderr: errorPipe[1])
        } catch {
            (inputPipe + errorPipe).forEach { close($0) }
            throw error
        }
        close(inputPipe[0])
        close(errorPipe[1])
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout) * 1e9)
        return exchange(pid: pid, input: inputPipe[1], errors: errorPipe[0], deadline: deadline, token: token)
    }

    private func spawn(stdin: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        Self.closeEveryOtherDescriptor(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard status == 0 else { throw SpawnFailure(errno: status) }
        return pid
    }

    /// Closes in the child every descriptor from 3 on: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34 and later) when it is there, else each descriptor open now (from /proc/self/fd).
    private static func closeEveryOtherDescriptor(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Writes `input`, reads standard error and watches for the program's exit, until it has exited,
    /// the deadline passes or `token` is cancelled. Then (or if polling fails) the process group is killed
    /// *before* its input is closed: closing first would end the message there, and a program
    /// reading with `-i` could queue the truncated part.
    private func exchange(pid: pid_t, input inputDescriptor: Int32, errors errorDescriptor: Int32, deadline: UInt64,
                          token: CancellationToken) -> Result {
        var inputFD = inputDescriptor, errorFD = errorDescriptor
        for descriptor in [inputFD, errorFD] { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        var written = 0
        var errors: [UInt8] = []
        var inputComplete = false
        defer {
            if inputFD >= 0 { close(inputFD) }
            if errorFD >= 0 { close(errorFD) }
        }
        func closeInput(complete: Bool) {
            inputComplete = complete
            close(inputFD)
            inputFD = -1
        }
        func readErrors() {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while errorFD >= 0 {
                let count = read(errorFD, &buffer, buffer.count)
                if count > 0 {
                    errors += buffer.prefix(count)
                    if errors.count > 8192 { errors.removeFirst(errors.count - 8192) }
                } else {
                    if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(errorFD)
                        errorFD = -1
                    }
                    return
                }
            }
        }
        func killed(cancelled: Bool = false) -> Result {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let ending: Ending = cancelled ? .cancelled(inputComplete: inputComplete) : .timedOut(inputComplete: inputComplete)
            return Result(ending: ending, errorOutput: Self.text(errors), inputComplete: inputComplete)
        }
        if input.isEmpty { closeInput(complete: true) }
        while true {
            // Its exit, not the end of its standard error, ends the wait: a daemon it started may
            // keep the error pipe open long after it exited 0.
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                readErrors()
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
                let ending: Ending = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
                return Result(ending: ending, errorOutput: Self.text(errors), inputComplete: inputComplete)
            }
            if token.isCancelled { return killed(cancelled: true) }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return killed() }
            var polled = [pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0),
                          pollfd(fd: errorFD, events: Int16(POLLIN), revents: 0)]
            // At most 20 ms at a time, to see the exit (no descriptor says it) and a cancel.
            let waitMilliseconds = Int32(min(20, (deadline - now) / 1_000_000 + 1))
            if poll(&polled, 2, waitMilliseconds) < 0, errno != EINTR { return killed() }
            if inputFD >= 0, polled[0].revents != 0 {
                let count = input.withUnsafeBytes { write(inputFD, $0.baseAddress! + written, input.count - written) }
                if count > 0 { written += count }
                if written == input.count {
                    closeInput(complete: true)  // the end of the message
                } else if count < 0, errno != EAGAIN, errno != EINTR {
                    closeInput(complete: false)  // it stopped reading (EPIPE): its exit status says why
                }
            }
            if errorFD >= 0, polled[1].revents != 0 { readErrors() }
        }
    }

    /// A program that exits before reading all of its input makes our write fail with EPIPE; the
    /// default action of SIGPIPE would kill this process instead, so it is ignored once, process-wide
    /// (as the TLS layer does). The child gets the default back (POSIX_SPAWN_SETSIGDEF).
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
