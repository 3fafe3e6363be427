import Foundation
import Testing
@testable import GradCheckNN

/// Helpers shared by the spec and file tests.
enum SpecTestSupport {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let specsDirectory = packageRoot.appendingPathComponent("Fixtures/specs")
    static let referenceDirectory = packageRoot.appendingPathComponent("Fixtures/reference")

    static func specFiles() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: specsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { specsDirectory.appendingPathComponent($0) }
    }

    static func referenceDirectories() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: referenceDirectory.path)) ?? []
        return names.sorted().map { referenceDirectory.appendingPathComponent($0) }
    }

    /// The error a throwing closure raises, or `nil`.
    static func error<T>(_ body: () throws(SpecError) -> T) -> SpecError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// The description of the first problem decoding `json` as a model spec from
    /// `model.json` (SpecProblemsTests pins that the others are reported too).
    static func modelError(_ json: String) -> String? {
        error { () throws(SpecError) in try ModelSpec.decode(json: json, file: "model.json") }?.problems.first?.description
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gradcheck-nn-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// SplitMix64: a small deterministic generator for the randomized tests.
struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func fixturesAreFound() {
    #expect(SpecTestSupport.specFiles().count >= 10)
    #expect(SpecTestSupport.referenceDirectories().count >= 10)
}
