import ConnectorKit
import DevServer
import Foundation
import NetworkIO
import Presets
import StandardConnectors

/// The operator console: configure, validate, test-send and diagnose a connector in a browser,
/// and read what a local DevServer captured.
///
/// ```swift
/// let console = try OperatorConsole(OperatorConsole.Options(configFile: "smtp.json", startsDevServer: true))
/// let url = try console.start()   // open it in a browser; it carries this run's access token
/// // ...
/// console.stop()
/// ```
///
/// It is a server that holds credentials: it listens on loopback unless told otherwise, wants a
/// random token on every request, refuses foreign Host and Origin headers, and never sends a
/// confidential value to the browser (see ``ConsoleAccessPolicy`` and Docs/Console.md).
public final class OperatorConsole: Sendable {
    /// How the console runs.
    public struct Options: Sendable {
        /// The address to listen on; 127.0.0.1 by default.
        public var host: String
        /// The port; 0 (the default) picks a free one.
        public var port: Int
        /// The config file the form starts from and Save writes to; none by default.
        public var configFile: String?
        /// Whether to start a DevServer on loopback and offer it as the "devserver" target; off by default.
        public var startsDevServer: Bool
        /// The presets offered, each as a connector; the standard catalog by default.
        public var presets: PresetCatalog
        /// Third-party connector factories to offer beside the standard ones.
        public var extraFactories: [any ConnectorFactory]

        /// Creates options.
        /// - Parameters:
        ///   - host: the listen address.
        ///   - port: the listen port (0 for a free one).
        ///   - configFile: the file to read and save.
        ///   - startsDevServer: whether to run a DevServer for the inbox.
        ///   - presets: the presets to offer.
        ///   - extraFactories: third-party connectors to offer (those that declare form items are listed).
        public init(host: String = "127.0.0.1", port: Int = 0, configFile: String? = nil, startsDevServer: Bool = false,
                    presets: PresetCatalog = .standard, extraFactories: [any ConnectorFactory] = []) {
            self.host = host
            self.port = port
            self.configFile = configFile
            self.startsDevServer = startsDevServer
            self.presets = presets
            self.extraFactories = extraFactories
        }
    }

    /// This run's access token (random, 32 hex digits).
    public let token: String
    /// The DevServer behind the inbox, when the options asked for one.
    public let devServer: DevServer?
    private let options: Options
    private let server: HTTPServer

    /// Prepares the console (and starts its DevServer, if asked); nothing listens for HTTP until ``start()``.
    /// - Parameter options: how to run.
    /// - Throws: ``ConnectorError`` when the config file exists but cannot be read as JSON, or
    ///   ``NetworkError`` when the DevServer cannot listen.
    public init(_ options: Options) throws {
        self.options = options
        token = Self.makeToken()
        // The file first: when it cannot be read, no DevServer is left running.
        let store = try ConfigStore(file: options.configFile, presets: options.presets)
        var presets = options.presets
        if options.startsDevServer {
            var configuration = DevServerConfiguration()
            configuration.tls = .startTLS
            let devServer = try DevServer(configuration)
            try devServer.start()
            presets.add(DevServerPreset.make(for: devServer))
            self.devServer = devServer
        } else {
            devServer = nil
        }
        var registry = ConnectorRegistry.standard(presets: presets)
        options.extraFactories.forEach { registry.register($0) }
        let api = ConsoleAPI(registry: registry, presets: presets, store: store, devServer: devServer, token: token)
        server = HTTPServer(host: options.host, port: options.port, token: token) { await api.handle($0) }
    }

    /// Starts listening.
    /// - Returns: the URL to open, with the access token.
    /// - Throws: ``NetworkError`` when the address cannot be bound.
    @discardableResult
    public func start() throws -> String {
        try server.start()
        return url
    }

    /// The URL to open (valid after ``start()``), with the access token.
    public var url: String {
        "http://\(SocketAddress.authority(host: options.host, port: server.port))/?token=\(token)"
    }

    /// The port listened on (valid after ``start()``).
    public var port: Int { server.port }

    /// Stops the HTTP server and the DevServer.
    public func stop() {
        server.stop()
        devServer?.stop()
    }

    /// Whether `host` is a loopback address (anything else deserves a warning).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
