// swift-tools-version:6.0
// swift-log for the connectors' events: `ConnectorEventHandler.logging(to: logger)`.
// A package of its own, so that the root package keeps depending on no third-party package.
import PackageDescription

let package = Package(
    name: "ConnectorLogging",
    products: [.library(name: "ConnectorLogging", targets: ["ConnectorLogging"])],
    dependencies: [
        .package(name: "SwiftEmailConnectors", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "ConnectorLogging", dependencies: [
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ConnectorLoggingTests", dependencies: [
            "ConnectorLogging",
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
