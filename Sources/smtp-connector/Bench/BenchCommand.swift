import ConnectorKit
import Foundation
import SMTP
import SMTPWire

/// `bench`: sends N messages of a given size over C connections and reports throughput.
///
/// Contract (DESIGN.md): one JSON line per message in `--outcomes FILE`
/// (`{"messageId", "outcome": "delivered"|"failed"|"unknown", "reply"}`), streamed as they come;
/// the last stdout line is `sent=<delivered> errors=<failed+unknown> inner_s=<seconds>`. A message is
/// retried, on a fresh connection, only when it failed before its data was sent.
struct BenchCommand: CLICommand {
    static let name = "bench"
    static let abstract = "throughput: N messages over C pooled connections (--fresh: a connection each), or the whole connector path"
    static let discussion = """
        The last stdout line is sent=N errors=N inner_s=SECONDS. --raw sends one message composed once,
        as smtp-source sends one blob; --config sends through a connector built from the config.
        """
    static let host = CLIOption.value("--host", "HOST", help: "the server (required without --config)")
    static let port = CLIOption.value("--port", "PORT", help: "its port (required without --config; with it, overrides the config's)")
    static let secure = CLIOption.flag("--secure", help: "implicit TLS")
    static let startTLS = CLIOption.flag("--starttls", help: "STARTTLS, required")
    static let tls = CLIOption.flag("--tls", help: "the same as --starttls")
    static let ca = CLIOption.value("--ca", "PEM", help: "the CA certificate file the server's certificate is checked against")
    static let user = CLIOption.value("--user", "USER", help: "authenticate (AUTH PLAIN) with the password in SMTP_BENCH_PASSWORD")
    static let messages = CLIOption.value("--messages", "N", required: true, help: "how many messages")
    static let connections = CLIOption.value("--connections", "C", required: true, help: "how many connections")
    static let size = CLIOption.value("--size", "BYTES", default: "1000", help: "the size of each message")
    static let fresh = CLIOption.flag("--fresh", help: "a fresh connection for every message")
    static let raw = CLIOption.flag("--raw", help: "one message composed once: the transport alone")
    static let config = CLIOption.value("--config", "FILE", help: "send through the connector this config builds")
    static let to = CLIOption.value("--to", "ADDR", default: "bench@example.test", help: "the recipient (with --config)")
    static let events = CLIOption.flag("--events", help: "print each connector event as a JSON line on stderr (with --config)")
    static let countEvents = CLIOption.flag("--count-events", help: "only count the connector's events, events=N on stderr (with --config)")
    static let latency = CLIOption.flag("--latency", help: "print the latency percentiles on stderr")
    static let outcomes = CLIOption.value("--outcomes", "FILE", help: "write one JSON line per message: messageId, outcome, reply")
    static let options = [host, port, secure, startTLS, tls, ca, user, messages, connections, size, fresh, raw, config, to,
                          events, countEvents, latency, outcomes]

    /// How the messages are made and sent.
    enum Mode: Equatable {
        /// A full MIME message composed for every send, over the client or pool.
        case composed
        /// One message composed once, as smtp-source sends one blob: the transport alone.
        case raw
        /// `send` calls on a connector built from a config file: templates, MIME, pool; its events
        /// printed, counted or (the default) not observed.
        case connector(configPath: String, to: String, events: EventMode)
    }

    /// What `--config` runs do with connector events.
    enum EventMode: Equatable {
        /// No handler: the default every host gets.
        case none
        /// `--events`: JSON on standard error.
        case print
        /// `--count-events`: a handler that only counts, to measure what observing costs.
        case count
    }

    let host: String?
    let port: Int?
    let security: SMTPClientConfiguration.Security
    let caPath: String?
    /// `--user` and the password from `SMTP_BENCH_PASSWORD` (never on the command line, which every
    /// local user can read).
    let credentials: SMTPCredentials?
    let messages: Int
    let connections: Int
    let size: Int
    let fresh: Bool
    let mode: Mode
    let latency: Bool
    let outcomesPath: String?

    init(arguments: ParsedArguments) throws {
        func number(_ option: CLIOption, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = arguments.value(option) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw UsageError(message: "\(option.name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        let configPath = arguments.value(Self.config)
        host = arguments.value(Self.host)
        port = try number(Self.port, 1...65535)
        if configPath == nil {
            guard host != nil else { throw UsageError(message: "missing --host HOST (or --config FILE)") }
            guard port != nil else { throw UsageError(message: "missing --port PORT (or --config FILE)") }
        }
        messages = try number(Self.messages, 1...10_000_000) ?? 1
        connections = try number(Self.connections, 1...1000) ?? 1
        size = try number(Self.size, 1...100_000_000) ?? 1000
        let secure = arguments.flag(Self.secure)
        let startTLS = arguments.flag(Self.startTLS) || arguments.flag(Self.tls)
        guard !(secure && startTLS) else { throw UsageError(message: "--secure and --starttls exclude each other") }
        security = secure ? .implicitTLS : startTLS ? .startTLSRequired : .plaintext
        caPath = arguments.value(Self.ca)
        if let user = arguments.value(Self.user) {
            guard let password = ProcessInfo.processInfo.environment["SMTP_BENCH_PASSWORD"] else {
                throw UsageError(message: "--user needs the password in the environment variable SMTP_BENCH_PASSWORD")
            }
            credentials = SMTPCredentials(user: user, password: password)
        } else {
            credentials = nil
        }
        fresh = arguments.flag(Self.fresh)
        let raw = arguments.flag(Self.raw)
        latency = arguments.flag(Self.latency)
        outcomesPath = arguments.value(Self.outcomes)
        let printEvents = arguments.flag(Self.events), countEvents = arguments.flag(Self.countEvents)
        if let configPath {
            guard !raw else { throw UsageError(message: "--raw and --config exclude each other") }
            guard !(printEvents && countEvents) else { throw UsageError(message: "--events and --count-events exclude each other") }
            mode = .connector(configPath: configPath, to: try arguments.required(Self.to),
                              events: printEvents ? .print : countEvents ? .count : .none)
        } else {
            guard !arguments.isGiven(Self.to) else { throw UsageError(message: "--to needs --config") }
            guard !printEvents && !countEvents else {
                throw UsageError(message: "--events and --count-events need --config: events come from the connector")
            }
            mode = raw ? .raw : .composed
        }
    }

    func run() async -> Int32 {
        let sender: BenchSender
        let writer: OutcomeWriter
        do {
            sender = try await makeSender()
            writer = try OutcomeWriter(path: outcomesPath)
        } catch let error as ConnectorError {
            return Output.fail(error, json: false)
        } catch {
            Output.error("\(error)")
            return 1
        }
        // A pool is used the way a server uses it: more concurrent sends than connections, so a
        // connection that finishes a message finds the next one queued (two per connection).
        // `--fresh` opens one connection per send, so its workers are its connections.
        let run = BenchRun(sender: sender, messages: messages, workers: fresh ? connections : connections * 2, writer: writer)
        let start = Date()
        let progress = Task { await Self.reportProgress(writer: writer, total: messages, start: start) }
        let histogram = await run.start()
        let seconds = Date().timeIntervalSince(start)
        progress.cancel()
        await sender.close()
        writer.close()
        if latency { FileHandle.standardError.write(Data((histogram.summary + "\n").utf8)) }
        if let counted = (sender as? ConnectorSender)?.countedEvents {
            FileHandle.standardError.write(Data("events=\(counted)\n".utf8))
        }
        let (delivered, errors) = writer.counts
        print("sent=\(delivered) errors=\(errors) inner_s=\(String(format: "%.3f", seconds))")
        return delivered == messages ? 0 : 1
    }

    /// A line on standard error every second while the run lasts.
    private static func reportProgress(writer: OutcomeWriter, total: Int, start: Date) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            guard !Task.isCancelled else { return }
            let (delivered, errors) = writer.counts
            let rate = Double(delivered) / max(0.001, Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data("progress: \(delivered + errors)/\(total) sent=\(delivered) errors=\(errors) \(Int(rate))/s\n".utf8))
        }
    }

    private func makeSender() async throws -> BenchSender {
        switch mode {
        case .connector(let path, let to, let events):
            return try ConnectorSender(config: try connectorConfig(path), to: to, events: events)
        case .raw, .composed:
            // init checked both for these modes; a missing one is a usage error there.
            guard let host, let port else { throw UsageError(message: "missing --host HOST and --port PORT (or --config FILE)") }
            var configuration = SMTPClientConfiguration(host: host, port: port, security: security)
            configuration.timeouts = .init(connection: 30, greeting: 30, socket: 120)
            configuration.credentials = credentials
            if credentials != nil { configuration.mechanism = .plain }  // as every peer in scripts/bench-smtp.sh
            if let caPath {
                guard let pem = try? String(contentsOfFile: caPath, encoding: .utf8) else {
                    throw ConnectorError(.invalidConfig, "cannot read --ca \(caPath)", hint: "Give the path of a PEM file.")
                }
                configuration.tls.trustedCertificatesPEM = pem
            }
            return try TransportSender(configuration: configuration, connections: connections, fresh: fresh,
                                       message: mode == .raw ? .once(size: size) : .perSend(size: size))
        }
    }

    /// The config file with `--host`, `--port` and `--connections` applied, pooled.
    private func connectorConfig(_ path: String) throws -> ConfigValue {
        var config = try Output.readConfig(path)
        if let host { config = config.setting(.string(host), atPath: "host") }
        if let port { config = config.setting(.number(Double(port)), atPath: "port") }
        if !fresh {
            config = config.setting(.bool(true), atPath: "pool")
            config = config.setting(.number(Double(connections)), atPath: "maxConnections")
        }
        return config
    }
}
