import Console
import Dispatch
import Foundation

/// `console`: the operator console in a browser. Prints `console: URL` first (the URL carries
/// this run's access token); Ctrl-C stops it.
struct ConsoleCommand: CLICommand {
    static let name = "console"
    static let usage = """
        console [--listen 127.0.0.1:PORT] [--config FILE] [--dev-server]
                                                the operator console: configure, test-send, diagnose, read captured mail
        """
    static let options: Set<String> = ["--listen", "--config"]
    static let flags: Set<String> = ["--dev-server"]

    let host: String
    let port: Int
    let configFile: String?
    let devServer: Bool

    init(arguments: inout ParsedArguments) throws {
        (host, port) = try ListenAddress.parse(arguments.value("--listen") ?? "127.0.0.1:0", option: "--listen")
        configFile = arguments.value("--config")
        devServer = arguments.flag("--dev-server")
    }

    func run() async -> Int32 {
        let console: OperatorConsole
        do {
            console = try OperatorConsole(OperatorConsole.Options(host: host, port: port, configFile: configFile, startsDevServer: devServer))
            try console.start()
        } catch {
            return Output.fail(error, json: false)
        }
        Output.line("console: \(console.url)")
        if !OperatorConsole.isLoopback(host) {
            Output.error("warning: listening on \(host), not loopback: anyone who can reach it and has the URL can use these credentials")
        }
        if let server = console.devServer {
            Output.line("dev server: \(server.configuration.host):\(server.port) (STARTTLS); pick \"Local DevServer\" and read what arrives in the Inbox")
        }
        if let configFile { Output.line("config file: \(configFile)") }
        Output.line("Press Ctrl-C to stop.")
        await Self.waitForInterrupt()
        console.stop()
        Output.line("console stopped")
        return 0
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForInterrupt() async {
        var sources: [any DispatchSourceSignal] = []
        let signals = AsyncStream<Int32> { continuation in
            let queue = DispatchQueue(label: "console-signals")
            sources = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)  // handled by the source below instead of ending the process
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
    }
}
