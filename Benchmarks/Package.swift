// swift-tools-version:6.0
// Benchmarks for GradCheck: a separate package so that the library itself keeps no
// dependencies and its build is not slowed by benchmark code.
//
//   cd Benchmarks && swift build -c release
//   .build/release/gradcheck-bench all
//
// Native-CPU variant (AVX2/AVX-512 where the machine has them):
//   swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native
import Foundation
import PackageDescription

// A path dependency's package identity is its directory's name, which depends on where
// the repository was cloned ("main", "GradCheck", ...): read it from this file's path.
let rootIdentity = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "GradCheckBenchmarks",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "gradcheck-bench",
            dependencies: [.product(name: "GradCheck", package: rootIdentity)],
            path: "Sources/gradcheck-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
