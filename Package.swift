// swift-tools-version:6.0
// The package builds in the Swift 6 language mode (strict concurrency) and depends on no
// third-party Swift package: Foundation, Glibc, Dispatch and the system's OpenSSL only.
import PackageDescription

let package = Package(
    name: "SwiftEmailConnectors",
    products: [
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .library(name: "MIME", targets: ["MIME"]),
        .library(name: "DKIM", targets: ["DKIM"]),
        .library(name: "SMTP", targets: ["SMTP"]),
        .library(name: "SMTPConnector", targets: ["SMTPConnector"]),
        .library(name: "Presets", targets: ["Presets", "Gmail", "SendGrid", "AliyunDirectMail", "Catalog"]),
        .library(name: "HTTPConnectors", targets: ["HTTPConnectors"]),
        .library(name: "StandardConnectors", targets: ["StandardConnectors"]),
        .library(name: "DevServer", targets: ["DevServer"]),
        .executable(name: "smtp-connector", targets: ["smtp-connector"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // The dependency graph is DESIGN.md's; scripts/check-imports.py fails CI when an import strays from it.
        // One lock for the whole package (Locked over a pthread mutex): the leaf under ConnectorKit and NetworkIO.
        .target(name: "Locking"),
        .target(name: "ConnectorKit", dependencies: ["Locking"]),
        .target(name: "MIME"),
        .target(name: "CryptoSupport", dependencies: ["COpenSSL"]),
        .target(name: "NetworkIO", dependencies: ["COpenSSL", "CryptoSupport", "Locking"]),
        .target(name: "DKIM", dependencies: ["CryptoSupport", "MIME"]),
        .target(name: "SMTPWire", dependencies: ["CryptoSupport"]),
        .target(name: "SMTP", dependencies: ["SMTPWire", "NetworkIO", "Locking"]),
        .target(name: "SMTPConnector", dependencies: ["ConnectorKit", "MIME", "DKIM", "SMTP", "SMTPWire", "CryptoSupport", "Locking", "NetworkIO", "HTTPSupport"]),
        // HTTPS through Foundation's URLSession (libcurl): no redirects, bounded answers, verified TLS.
        .target(name: "HTTPSupport", dependencies: ["Locking"]),
        // The HTTP API connectors: SendGrid's v3 Mail Send and Alibaba Cloud DirectMail's SingleSendMail.
        .target(name: "HTTPConnectors", dependencies: ["ConnectorKit", "MIME", "CryptoSupport", "HTTPSupport", "NetworkIO"]),
        .target(name: "DevServer", dependencies: ["SMTPWire", "NetworkIO", "MIME", "Locking"]),
        // Provider presets: each depends only on ConnectorKit.
        .target(name: "Gmail", dependencies: ["ConnectorKit"], path: "Presets/Gmail"),
        .target(name: "SendGrid", dependencies: ["ConnectorKit"], path: "Presets/SendGrid"),
        .target(name: "AliyunDirectMail", dependencies: ["ConnectorKit"], path: "Presets/AliyunDirectMail"),
        .target(name: "Catalog", dependencies: ["ConnectorKit"], path: "Presets/Catalog", resources: [.copy("presets")]),
        // The standard preset catalog; like every preset, it knows ConnectorKit only.
        .target(name: "Presets", dependencies: ["ConnectorKit", "Gmail", "SendGrid", "AliyunDirectMail", "Catalog"],
                path: "Presets/Standard"),
        // The standard registry: `smtp` plus one connector id per preset.
        .target(name: "StandardConnectors", dependencies: ["ConnectorKit", "SMTPConnector", "Presets", "HTTPConnectors"]),
        // The operator console: its HTTP server (on NetworkIO), JSON API and page.
        // It declares the modules it reaches through those two and uses itself (the CLI does the same).
        .target(name: "Console",
                dependencies: ["StandardConnectors", "DevServer", "ConnectorKit", "NetworkIO", "Presets",
                               "DKIM", "CryptoSupport", "Locking"],
                resources: ["index.html", "console.css", "api.js", "form.js", "actions.js", "inbox.js"].map { .embedInCode("Page/assets/\($0)") }),
        // Composes messages for scripts/bench-mime.sh; not a product.
        .executableTarget(name: "mime-benchmark", dependencies: ["MIME"]),
        .executableTarget(
            name: "smtp-connector",
            dependencies: ["Console", "StandardConnectors", "DevServer", "ConnectorKit", "SMTPConnector", "Presets", "SMTP", "SMTPWire", "MIME", "Locking", "NetworkIO"]
        ),
        // Helpers for the tests only (Python's email parser, the Postfix environment); not a product.
        .target(name: "TestSupport", dependencies: ["DevServer", "ConnectorKit", "Locking"], path: "Tests/TestSupport"),
        .testTarget(name: "ConnectorKitTests", dependencies: ["ConnectorKit", "Locking"]),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "TestSupport"]),
        .testTarget(name: "DKIMTests", dependencies: ["DKIM", "MIME", "CryptoSupport", "TestSupport"]),
        .testTarget(name: "NetworkIOTests", dependencies: ["NetworkIO", "DevServer", "Locking", "TestSupport"]),
        .testTarget(name: "SMTPWireTests", dependencies: ["SMTPWire"]),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "SMTPWire", "DevServer", "NetworkIO", "TestSupport", "Locking"]),
        .testTarget(name: "SMTPConnectorTests", dependencies: ["SMTPConnector", "ConnectorKit", "DevServer", "MIME", "SMTP",
                                                               "SMTPWire", "NetworkIO", "TestSupport", "Locking"]),
        .testTarget(name: "DevServerTests", dependencies: ["DevServer", "NetworkIO", "TestSupport"]),
        .testTarget(name: "PresetsTests", dependencies: ["Presets", "Gmail", "SendGrid", "AliyunDirectMail", "Catalog",
                                                          "StandardConnectors", "SMTPConnector", "SMTP", "SMTPWire", "ConnectorKit"]),
        .testTarget(name: "HTTPConnectorsTests", dependencies: ["HTTPConnectors", "ConnectorKit"]),
        .testTarget(name: "StandardConnectorsTests", dependencies: ["StandardConnectors", "ConnectorKit", "DevServer", "TestSupport", "Locking"]),
        // The saturation test: run on its own (scripts/test.sh), since it holds the cooperative pool.
        .testTarget(name: "BusyHostTests", dependencies: ["SMTP", "SMTPWire", "SMTPConnector", "ConnectorKit", "Console", "DevServer",
                                                       "NetworkIO", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "NetworkIO", "ConnectorKit", "DevServer", "Presets", "StandardConnectors", "TestSupport"]),
        // Fuzzing (scripts/fuzz.sh, Docs/Reliability.md): the checks, one libFuzzer binary over them,
        // and the committed corpus replayed through the same checks in the ordinary suite.
        .target(name: "FuzzChecks",
                dependencies: ["SMTPWire", "SMTP", "NetworkIO", "ConnectorKit", "StandardConnectors", "MIME", "DevServer", "Console"],
                path: "Tests/Fuzz/Checks"),
        .executableTarget(name: "smtp-fuzz", dependencies: ["FuzzChecks"], path: "Tests/Fuzz/Runner"),
        .testTarget(name: "FuzzChecksTests", dependencies: ["FuzzChecks", "ConnectorKit", "MIME", "TestSupport"]),
        // The fault soak (scripts/soak.sh): a pool against a server that fails at random.
        .executableTarget(name: "smtp-soak", dependencies: ["SMTP", "NetworkIO", "Locking"], path: "Tests/Soak"),
        // Runs the built `smtp-connector` binary as a user would.
        .testTarget(name: "CLITests", dependencies: ["DevServer", "NetworkIO", "TestSupport", "Console", "ConnectorKit", "smtp-connector"]),
    ]
)
