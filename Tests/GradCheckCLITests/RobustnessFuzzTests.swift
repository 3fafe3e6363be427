import Foundation
import Testing
@testable import GradCheckCLI

/// The robustness suite: a seeded generator of mutated specs, weights, batches,
/// references, run logs and CSVs, each run through the real `gradcheck` binary in a
/// process of its own, so a trap shows as a signal rather than ending the tests. Every
/// case must end with exit status 0, 1 or 2, by itself (no signal, no hang), and a status
/// 2 must name the mutated file.
///
/// `GRADCHECK_FUZZ_CASES=N swift test --filter RobustnessFuzzTests` runs N cases instead
/// of the default 300; `GRADCHECK_FUZZ_SEED` changes the seed. The outcome histogram is
/// printed at the end.
@Suite struct RobustnessFuzzTests {
    static let defaultCases = 300

    /// What a case mutates, and the command that reads it (`FILE` stands for the mutant).
    enum Kind: String, CaseIterable {
        case spec, weights, batch, reference, log, csv
    }

    static func arguments(_ kind: Kind, file: String) -> [String] {
        let spec = CLI.spec("iris-mlp")
        let weights = CLI.reference("iris-mlp", "weights"), batch = CLI.reference("iris-mlp", "batch")
        switch kind {
        case .spec: return ["validate", file]
        case .weights: return ["check", spec, "--weights", file, "--batch", batch, "--mode", "fast", "--no-layers"]
        case .batch: return ["check", spec, "--weights", weights, "--batch", file, "--mode", "dot", "--no-layers"]
        case .reference: return ["compare", spec, "--weights", weights, "--batch", batch, "--reference", file]
        case .log: return ["report", file]
        case .csv: return ["check", spec, "--data", file, "--batch-size", "4", "--mode", "fast", "--no-layers"]
        }
    }

    static func base(_ kind: Kind, _ n: Int) throws -> String {
        switch kind {
        case .spec:
            let names = ["iris-mlp", "cnn-tiny", "embedding-tiny", "residual-tiny", "lstm-tiny", "mlp-dropout"]
            return try CLI.read(CLI.spec(names[n % names.count]))
        case .weights: return try CLI.read(CLI.reference("iris-mlp", "weights"))
        case .batch: return try CLI.read(CLI.reference("iris-mlp", "batch"))
        case .reference: return try CLI.read(CLI.reference("iris-mlp", "gradients"))
        case .log:
            let text = try CLI.read(CLI.root.appendingPathComponent("Fixtures/logs/pytorch_iris.jsonl").path)
            return text.split(separator: "\n").prefix(40).joined(separator: "\n") + "\n"
        case .csv:
            let text = try CLI.read(CLI.dataset("iris.csv"))
            return text.split(separator: "\n").prefix(30).joined(separator: "\n") + "\n"
        }
    }

    /// One mutation of the bytes of `text`: the JSON mutations of ``BadInputFuzzTests``, or
    /// one of those that change the encoding or the values' meaning.
    static func mutate(_ text: String, kind: Kind, rng: inout SplitMix) -> (bytes: [UInt8], what: String) {
        let choice = Int.random(in: 0..<14, using: &rng)
        switch choice {
        case 0..<6:
            return (Array(BadInputFuzzTests.mutate(text, rng: &rng).utf8), "json-mutation")
        case 6:  // random bytes at a random place
            var bytes = Array(text.utf8)
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            }
            return (bytes, "random-bytes")
        case 7:  // a byte-order mark, UTF-8 or UTF-16
            if Bool.random(using: &rng) { return ([0xEF, 0xBB, 0xBF] + Array(text.utf8), "utf8-bom") }
            return ([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "utf16")
        case 8:  // Latin-1 and overlong UTF-8 bytes
            return (Array(text.utf8) + [0xE9, 0xC0, 0xAF], "invalid-utf8")
        case 9:  // a number made non-finite, huge or negative
            let replacement = ["\"nan\"", "\"inf\"", "\"-inf\"", "nan", "1e999", "-1e308", "-0", "1e-320", "NaN"]
                .randomElement(using: &rng)!
            let csvReplacement = ["nan", "inf", "-inf", "1e999", "-1e308", "\"1,5\"", "\"", "0x1p3", ""].randomElement(using: &rng)!
            var s = Array(text.unicodeScalars)
            let digits = s.indices.filter { ("0"..."9").contains(s[$0]) }
            if let at = digits.randomElement(using: &rng) {
                var end = at
                while end < s.count, ("0"..."9").contains(s[end]) || s[end] == "." || s[end] == "e" || s[end] == "-" { end += 1 }
                s.replaceSubrange(at..<end, with: (kind == .csv ? csvReplacement : replacement).unicodeScalars)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s)
            return (Array(String(view).utf8), "nonfinite-or-huge")
        case 10:  // type swaps: numbers to strings, arrays to objects
            let swapped = Bool.random(using: &rng)
                ? text.replacingOccurrences(of: "[", with: "{\"x\": [").replacingOccurrences(of: "]", with: "]}")
                : text.replacingOccurrences(of: ": [", with: ": \"[").replacingOccurrences(of: "],", with: "]\",")
            return (Array(swapped.utf8), "type-swap")
        case 11:  // a whole line or key deleted
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count > 1 { lines.remove(at: Int.random(in: 0..<lines.count, using: &rng)) }
            return (Array(lines.joined(separator: "\n").utf8), "line-deleted")
        case 12:  // line endings changed (CRLF, CR, mixed)
            let endings = ["\r\n", "\r"]
            let ending = endings.randomElement(using: &rng)!
            return (Array(text.replacingOccurrences(of: "\n", with: ending).utf8), "line-endings")
        default:  // truncated at a random byte, possibly inside a UTF-8 sequence
            let bytes = Array(text.utf8)
            return (Array(bytes.prefix(Int.random(in: 0..<max(bytes.count, 1), using: &rng))), "truncated")
        }
    }

    /// The `gradcheck` binary next to the test bundle (SwiftPM builds it with the tests).
    static let binary: URL? = {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("gradcheck")) }
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("gradcheck")) }
        candidates.append(CLI.root.appendingPathComponent(".build/debug/gradcheck"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Outcome {
        var status: Int32?        // nil: killed by a signal, or timed out
        var signal: Int32?
        var timedOut = false
        var standardError: String
    }

    /// Runs the binary with `arguments`, standard output and error to files (no pipe to fill).
    static func run(_ arguments: [String], in directory: URL, timeout: TimeInterval = 60) throws -> Outcome {
        guard let binary else {
            let r = GradCheckCommand.run(arguments)
            return Outcome(status: r.status, standardError: r.standardError)
        }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
            process.waitUntilExit()
        }
        let stderr = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        if timedOut { return Outcome(status: nil, signal: nil, timedOut: true, standardError: stderr) }
        if process.terminationReason == .uncaughtSignal {
            return Outcome(status: nil, signal: process.terminationStatus, standardError: stderr)
        }
        return Outcome(status: process.terminationStatus, standardError: stderr)
    }

    @Test func mutatedInputsNeverTrapHangOrGoUnnamed() throws {
        let env = ProcessInfo.processInfo.environment
        let cases = env["GRADCHECK_FUZZ_CASES"].flatMap(Int.init) ?? Self.defaultCases
        let seed = env["GRADCHECK_FUZZ_SEED"].flatMap(UInt64.init) ?? 20
        var rng = SplitMix(seed: seed)
        let dir = try CLI.temporaryDirectory()
        var histogram: [String: Int] = [:]
        var byKind: [String: Int] = [:]
        let kinds = Kind.allCases
        for n in 0..<cases {
            let kind = kinds[n % kinds.count]
            var (bytes, what) = Self.mutate(try Self.base(kind, n / kinds.count), kind: kind, rng: &rng)
            if n % 4 == 3 {   // a second mutation on top, for combinations
                let second = Self.mutate(String(decoding: bytes, as: UTF8.self), kind: kind, rng: &rng)
                bytes = second.bytes
                what += "+" + second.what
            }
            let name = "mutant-\(n).\(kind == .csv ? "csv" : kind == .log ? "jsonl" : "json")"
            let file = dir.appendingPathComponent(name)
            try Data(bytes).write(to: file)
            let outcome = try Self.run(Self.arguments(kind, file: file.path), in: dir)
            let label = outcome.timedOut ? "timeout" : outcome.signal.map { "signal \($0)" } ?? "exit \(outcome.status!)"
            histogram[label, default: 0] += 1
            byKind["\(kind.rawValue) \(label)", default: 0] += 1
            let context = "case \(n) (\(kind.rawValue), \(what)): \(label)\n\(outcome.standardError.prefix(600))"
            #expect(!outcome.timedOut && outcome.signal == nil, "\(context)")
            if let status = outcome.status {
                #expect([0, 1, 2].contains(status), "\(context)")
                if status == 2 { #expect(outcome.standardError.contains(file.path), "the message names the file: \(context)") }
            }
        }
        let lines = histogram.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
            + ["by kind:"] + byKind.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
        print("RobustnessFuzzTests: \(cases) cases (seed \(seed), \(Self.binary == nil ? "in-process" : "binary \(Self.binary!.path)")), outcomes:\n"
              + lines.joined(separator: "\n"))
        #expect(histogram.values.reduce(0, +) == cases)
    }
}
