// swift-tools-version:6.0
// A Hummingbird 2 server that sends sign-in codes: the connectors as a host app uses them, with
// swift-log, swift-metrics (Prometheus at GET /metrics) and graceful shutdown through
// swift-service-lifecycle. Its own package: the root package depends on no third-party package.
import PackageDescription

let package = Package(
    name: "HummingbirdApp",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "hummingbird-app", targets: ["HummingbirdApp"])],
    dependencies: [
        .package(name: "SwiftEmailConnectors", path: "../.."),
        .package(name: "ConnectorLogging", path: "../../Integrations/ConnectorLogging"),
        .package(name: "ConnectorMetrics", path: "../../Integrations/ConnectorMetrics"),
        .package(name: "ConnectorServiceLifecycle", path: "../../Integrations/ConnectorServiceLifecycle"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "CodeSender", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "StandardConnectors", package: "SwiftEmailConnectors"),
            .product(name: "ConnectorLogging", package: "ConnectorLogging"),
            .product(name: "ConnectorMetrics", package: "ConnectorMetrics"),
            .product(name: "ConnectorServiceLifecycle", package: "ConnectorServiceLifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "HummingbirdApp", dependencies: [
            "CodeSender",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CodeSenderTests", dependencies: [
            "CodeSender",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "DevServer", package: "SwiftEmailConnectors"),
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
