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
    static let usage = """
        bench --host H --port P [--secure | --starttls] [--ca PEM] [--user U] --messages N --connections C --size BYTES
              [--fresh] [--raw] [--config FILE [--to ADDR] [--events | --count-events]] [--latency] [--outcomes FILE]
                                                throughput: N messages over C pooled connections (--fresh: one each);
                                                --raw sends one message composed once, --config the whole connector path;
                                                --events prints each connector event as JSON on stderr,
                                                --count-events only counts them (events=N on stderr);
                                                --user authenticates (AUTH PLAIN) with the password in SMTP_BENCH_PASSWORD
        """
    static let options: Set<String> = ["--host", "--port", "--ca", "--user", "--messages", "--connections", "--size", "--outcomes",
                                       "--config", "--to"]
    static let flags: Set<String> = ["--tls", "--starttls", "--secure", "--fresh", "--raw", "--latency", "--events", "--count-events"]

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

    init(arguments: inout ParsedArguments) throws {
        func number(_ name: String, _ range: ClosedRange<Int>, required: Bool = true) throws -> Int? {
            guard let text = required ? try arguments.required(name) : arguments.value(name) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw UsageError(message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        let configPath = arguments.value("--config")
        host = configPath == nil ? try arguments.required("--host") : arguments.value("--host")
        port = try number("--port", 1...65535, required: configPath == nil)
        messages = try number("--messages", 1...10_000_000)!
        connections = try number("--connections", 1...1000)!
        size = try number("--size", 1...100_000_000, required: configPath == nil) ?? 1000
        let secure = arguments.flag("--secure")
        let startTLS = arguments.flag("--starttls") || arguments.flag("--tls")
        guard !(secure && startTLS) else { throw UsageError(message: "--secure and --starttls exclude each other") }
        security = secure ? .implicitTLS : startTLS ? .startTLSRequired : .plaintext
        caPath = arguments.value("--ca")
        if let user = arguments.value("--user") {
            guard let password = ProcessInfo.processInfo.environment["SMTP_BENCH_PASSWORD"] else {
                throw UsageError(message: "--user needs the password in the environment variable SMTP_BENCH_PASSWORD")
            }
            credentials = SMTPCredentials(user: user, password: password)
        } else {
            credentials = nil
        }
        fresh = arguments.flag("--fresh")
        let raw = arguments.flag("--raw")
        latency = arguments.flag("--latency")
        outcomesPath = arguments.value("--outcomes")
        let to = arguments.value("--to")
        let printEvents = arguments.flag("--events"), countEvents = arguments.flag("--count-events")
        if let configPath {
            guard !raw else { throw UsageError(message: "--raw and --config exclude each other") }
            guard !(printEvents && countEvents) else { throw UsageError(message: "--events and --count-events exclude each other") }
            mode = .connector(configPath: configPath, to: to ?? "bench@example.test",
                              events: printEvents ? .print : countEvents ? .count : .none)
        } else {
            guard to == nil else { throw UsageError(message: "--to needs --config") }
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
            var configuration = SMTPClientConfiguration(host: host!, port: port!, security: security)
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
