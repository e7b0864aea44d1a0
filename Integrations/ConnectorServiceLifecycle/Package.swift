// swift-tools-version:6.0
// swift-service-lifecycle for connectors: a Service that shuts them down gracefully.
// A package of its own, so that the root package keeps depending on no third-party package.
import PackageDescription

let package = Package(
    name: "ConnectorServiceLifecycle",
    products: [.library(name: "ConnectorServiceLifecycle", targets: ["ConnectorServiceLifecycle"])],
    dependencies: [
        .package(name: "SwiftEmailConnectors", path: "../.."),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "ConnectorServiceLifecycle", dependencies: [
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "ConnectorServiceLifecycleTests", dependencies: [
            "ConnectorServiceLifecycle",
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "SMTPConnector", package: "SwiftEmailConnectors"),
            .product(name: "DevServer", package: "SwiftEmailConnectors"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
