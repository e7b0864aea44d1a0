// swift-tools-version:6.0
// A third-party connector, as another package would write one: it depends on ConnectorKit only
// and plugs into the same ConnectorRegistry as the built-in SMTP connector.
import PackageDescription

let package = Package(
    name: "DirectoryConnector",
    products: [.library(name: "DirectoryConnector", targets: ["DirectoryConnector"])],
    dependencies: [.package(name: "SwiftEmailConnectors", path: "../..")],
    targets: [
        .target(name: "DirectoryConnector",
                dependencies: [.product(name: "ConnectorKit", package: "SwiftEmailConnectors")]),
        .testTarget(name: "DirectoryConnectorTests",
                    dependencies: ["DirectoryConnector", .product(name: "ConnectorKit", package: "SwiftEmailConnectors")]),
    ]
)
