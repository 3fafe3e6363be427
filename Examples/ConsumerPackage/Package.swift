// swift-tools-version:6.0
// A package that uses GradCheck the way a user's project would: it defines a custom layer
// and a custom derivative, and checks both in its tests.
import PackageDescription

let package = Package(
    name: "MyLayers",
    dependencies: [
        .package(name: "GradCheck", path: "../.."),
    ],
    targets: [
        .target(name: "MyLayers", dependencies: [.product(name: "GradCheck", package: "GradCheck")]),
        .testTarget(name: "MyLayersTests", dependencies: [
            "MyLayers",
            .product(name: "GradCheckTesting", package: "GradCheck"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
