// swift-tools-version:6.0
// swift-metrics for the connectors' events: `ConnectorEventHandler.metrics()`.
// A package of its own, so that the root package keeps depending on no third-party package.
import PackageDescription

let package = Package(
    name: "ConnectorMetrics",
    products: [.library(name: "ConnectorMetrics", targets: ["ConnectorMetrics"])],
    dependencies: [
        .package(name: "SwiftEmailConnectors", path: "../.."),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        .target(name: "ConnectorMetrics", dependencies: [
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        .testTarget(name: "ConnectorMetricsTests", dependencies: [
            "ConnectorMetrics",
            .product(name: "ConnectorKit", package: "SwiftEmailConnectors"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
    ]
)
