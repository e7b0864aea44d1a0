import Console
import Foundation

/// `console`: the operator console in a browser. Prints `console: URL` first (the URL carries
/// this run's access token); Ctrl-C stops it.
struct ConsoleCommand: CLICommand {
    static let name = "console"
    static let abstract = "the operator console in the browser: configure, test-send, diagnose, read captured mail"
    static let listen = CLIOption.value("--listen", "HOST:PORT", default: "127.0.0.1:0", help: "where it listens; port 0 picks a free one")
    static let config = CLIOption.value("--config", "FILE", help: "the config file Save writes to (read at start when it exists)")
    static let devServer = CLIOption.flag("--dev-server", help: "run a DevServer beside it, offered as the devserver preset, with its inbox")
    static let options = [listen, config, devServer]

    let host: String
    let port: Int
    let configFile: String?
    let devServer: Bool

    init(arguments: ParsedArguments) throws {
        (host, port) = try ListenAddress.parse(arguments.required(Self.listen), option: Self.listen.name)
        configFile = arguments.value(Self.config)
        devServer = arguments.flag(Self.devServer)
    }

    func run() async -> Int32 {
        // Caught before the first line is printed: a script that reads it and sends SIGINT at once
        // must get a clean stop, not the default action.
        let interrupts = InterruptSignals()
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
        await interrupts.wait()
        console.stop()
        Output.line("console stopped")
        return 0
    }
}
