// swift-tools-version:6.0
// GradCheck: gradient verification, gradient-health monitoring and clipping policies
// for neural networks written in Swift. No package dependencies by design.
import PackageDescription

let package = Package(
    name: "GradCheck",
    products: [
        .library(name: "GradCheck", targets: ["GradCheck"]),
        .library(name: "GradCheckTesting", targets: ["GradCheckTesting"]),
        .executable(name: "gradcheck", targets: ["gradcheck"]),
    ],
    targets: [
        .target(name: "GradCheckTensor"),
        .target(name: "GradCheckAutograd", dependencies: ["GradCheckTensor"]),
        .target(name: "GradCheckNN", dependencies: ["GradCheckTensor", "GradCheckAutograd"]),
        .target(name: "GradCheckVerify", dependencies: ["GradCheckTensor", "GradCheckAutograd", "GradCheckNN"]),
        .target(name: "GradCheckClipping", dependencies: ["GradCheckTensor", "GradCheckNN"]),
        .target(name: "GradCheckHealth", dependencies: ["GradCheckTensor", "GradCheckNN"]),
        .target(name: "GradCheckTraining", dependencies: [
            "GradCheckTensor", "GradCheckAutograd", "GradCheckNN", "GradCheckClipping", "GradCheckHealth",
        ]),
        .target(name: "GradCheck", dependencies: [
            "GradCheckTensor", "GradCheckAutograd", "GradCheckNN", "GradCheckVerify",
            "GradCheckClipping", "GradCheckHealth", "GradCheckTraining",
        ]),
        .target(name: "GradCheckTesting", dependencies: ["GradCheck"]),
        .target(name: "GradCheckCLI", dependencies: ["GradCheck"]),
        .executableTarget(name: "gradcheck", dependencies: ["GradCheckCLI"]),

        .testTarget(name: "GradCheckTensorTests", dependencies: ["GradCheckTensor"]),
        .testTarget(name: "GradCheckAutogradTests", dependencies: ["GradCheckAutograd"]),
        .testTarget(name: "GradCheckNNTests", dependencies: ["GradCheckNN"]),
        .testTarget(name: "GradCheckVerifyTests", dependencies: ["GradCheckVerify", "GradCheckNN"]),
        .testTarget(name: "GradCheckClippingTests", dependencies: ["GradCheckClipping"]),
        .testTarget(name: "GradCheckHealthTests", dependencies: ["GradCheckHealth"]),
        .testTarget(name: "GradCheckTrainingTests", dependencies: ["GradCheckTraining"]),
        .testTarget(name: "GradCheckCLITests", dependencies: ["GradCheckCLI"], exclude: ["Data"]),
        .testTarget(name: "GradCheckTestingTests", dependencies: ["GradCheckTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
