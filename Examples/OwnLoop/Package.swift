// swift-tools-version:6.0
// A hand-written Swift training loop (a `Differentiable` struct trained with
// `valueWithGradient`) that gets GradCheck's health monitor, run log, report and clipping
// policies with a few added lines, without GradCheck's trainer or model format.
import PackageDescription

let package = Package(
    name: "OwnLoop",
    dependencies: [
        .package(name: "GradCheck", path: "../.."),
    ],
    targets: [
        .target(name: "OwnLoop", dependencies: [.product(name: "GradCheck", package: "GradCheck")]),
        .executableTarget(name: "own-loop", dependencies: ["OwnLoop"]),
        .testTarget(name: "OwnLoopTests", dependencies: [
            "OwnLoop",
            .product(name: "GradCheckTesting", package: "GradCheck"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
