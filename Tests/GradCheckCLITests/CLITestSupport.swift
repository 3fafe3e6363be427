import Foundation
import Testing
@testable import GradCheckCLI

/// Paths, temporary files and JSON helpers shared by the CLI tests.
enum CLI {
    /// The package root, found from this file's path (not a SwiftPM resource).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // GradCheckCLITests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()

    /// Test data that belongs to these tests.
    static let dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Data")

    static let specsDirectory = root.appendingPathComponent("Fixtures/specs")
    static let referenceDirectory = root.appendingPathComponent("Fixtures/reference")
    static let datasetsDirectory = root.appendingPathComponent("Fixtures/data")

    /// `Fixtures/specs/NAME.json`.
    static func spec(_ name: String) -> String { specsDirectory.appendingPathComponent("\(name).json").path }

    /// `Fixtures/reference/SPEC/FILE.json`.
    static func reference(_ spec: String, _ file: String) -> String {
        referenceDirectory.appendingPathComponent(spec).appendingPathComponent("\(file).json").path
    }

    /// `Tests/GradCheckCLITests/Data/NAME`.
    static func data(_ name: String) -> String { dataDirectory.appendingPathComponent(name).path }

    /// `Fixtures/data/NAME`.
    static func dataset(_ name: String) -> String { datasetsDirectory.appendingPathComponent(name).path }

    /// The specs that have a PyTorch reference directory.
    static func specsWithReference() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: specsDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
        return names.filter { FileManager.default.fileExists(atPath: referenceDirectory.appendingPathComponent($0).path) }.sorted()
    }

    /// Runs the CLI in-process.
    static func run(_ arguments: String...) -> GradCheckCommand.Result { GradCheckCommand.run(arguments) }
    static func run(_ arguments: [String]) -> GradCheckCommand.Result { GradCheckCommand.run(arguments) }

    /// `compare SPEC --weights --batch --reference REF` with the fixture weights and batch.
    static func compareFixture(_ spec: String, reference: String? = nil, _ extra: [String] = []) -> GradCheckCommand.Result {
        run(["compare", Self.spec(spec), "--weights", Self.reference(spec, "weights"), "--batch", Self.reference(spec, "batch"),
             "--reference", reference ?? Self.reference(spec, "gradients")] + extra)
    }

    // MARK: Temporary files

    /// Where this run's temporary files go: one folder per test process, under a common
    /// parent from which the folders of runs over an hour old are removed.
    static let temporaryRoot: URL = {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-cli-tests", isDirectory: true)
        let fm = FileManager.default
        if let old = try? fm.contentsOfDirectory(at: parent, includingPropertiesForKeys: [.contentModificationDateKey]) {
            for url in old {
                let date = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
                if let date, date.timeIntervalSinceNow < -3600 { try? fm.removeItem(at: url) }
            }
        }
        return parent.appendingPathComponent("run-\(UUID().uuidString)", isDirectory: true)
    }()

    /// A fresh, empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = temporaryRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to a new temporary file named `name` and returns its path.
    static func write(_ text: String, name: String = "file.json", in directory: URL? = nil) throws -> String {
        let dir = try directory ?? temporaryDirectory()
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Writes a JSON value to a new temporary file and returns its path.
    static func writeJSON(_ object: Any, name: String = "file.json", in directory: URL? = nil) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try write(String(decoding: data, as: UTF8.self), name: name, in: directory)
    }

    static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    // MARK: JSON

    /// Parses a JSON document with Foundation (independent of the toolkit's own parser).
    static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Parses a JSON object.
    static func object(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try parse(text)
        return try #require(value as? [String: Any], "not a JSON object: \(text.prefix(200))", sourceLocation: sourceLocation)
    }

    /// Parses the JSON file at `path`.
    static func loadJSON(_ path: String) throws -> [String: Any] {
        try object(read(path))
    }
}

extension GradCheckCommand.Result {
    /// Both streams, for messages in `#expect`.
    var transcript: String { "status \(status)\n--- stdout\n\(standardOutput)\n--- stderr\n\(standardError)" }
}

/// A small deterministic generator for the mutation tests (SplitMix64).
struct SplitMix: RandomNumberGenerator {
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
