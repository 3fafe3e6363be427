import Foundation
import Testing
@testable import GradCheckCLI

/// A mini fuzz of `validate`: mutated copies of valid specs must give exit status 0 or 2,
/// never trap. Deterministic (seeded), so a failure reproduces.
@Suite struct BadInputFuzzTests {
    static let hugeNumbers = [
        "1e300", "-1e300", "99999999999", "-99999999999", "1e15", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "18446744073709551616", "4294967296", "3037000500", "1e-300", "0", "-1", "-3",
        "0.5", "1.0000000001", "2e9", "1099511627776", "null", "\"7\"", "[]", "{}", "true",
    ]

    /// One random mutation of `text`.
    static func mutate(_ text: String, rng: inout SplitMix) -> String {
        var chars = Array(text.unicodeScalars)
        func numberRanges() -> [Range<Int>] {
            var ranges: [Range<Int>] = []
            var i = 0
            let isStart: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) || $0 == "-" }
            let isBody: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) || ".eE+-".unicodeScalars.contains($0) }
            while i < chars.count {
                if isStart(chars[i]) {
                    var j = i + 1
                    while j < chars.count, isBody(chars[j]) { j += 1 }
                    ranges.append(i..<j)
                    i = j
                } else { i += 1 }
            }
            return ranges
        }
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:  // truncation
            chars = Array(chars.prefix(Int.random(in: 0...max(chars.count - 1, 0), using: &rng)))
        case 1:  // deleted characters
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !chars.isEmpty {
                chars.remove(at: Int.random(in: 0..<chars.count, using: &rng))
            }
        case 2:  // swapped digits
            let digits = chars.indices.filter { ("0"..."9").contains(chars[$0]) }
            if digits.count >= 2 {
                let a = digits.randomElement(using: &rng)!, b = digits.randomElement(using: &rng)!
                chars.swapAt(a, b)
            }
        case 3, 4:  // a number replaced by a huge, negative or wrong-typed value
            if let r = numberRanges().randomElement(using: &rng) {
                chars.replaceSubrange(r, with: hugeNumbers.randomElement(using: &rng)!.unicodeScalars)
            }
        case 5:  // an array emptied
            let opens = chars.indices.filter { chars[$0] == "[" }
            if let open = opens.randomElement(using: &rng),
               let close = chars[open...].firstIndex(where: { $0 == "]" }),
               !chars[(open + 1)..<close].contains("[") {
                chars.replaceSubrange(open...close, with: "[]".unicodeScalars)
            }
        case 6:  // deep nesting, inside the spec or as the whole file
            let depth = [5, 50, 99, 100, 101, 1000, 20000].randomElement(using: &rng)!
            let nest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            if Bool.random(using: &rng) {
                chars = Array(nest.unicodeScalars)
            } else if let at = chars.indices.filter({ chars[$0] == ":" }).randomElement(using: &rng) {
                chars.insert(contentsOf: " \(nest)".unicodeScalars, at: at + 1)
                if let end = chars[(at + 1 + nest.count + 1)...].firstIndex(where: { $0 == "," || $0 == "}" }) {
                    // drop the old value so the nesting replaces it
                    chars.removeSubrange((at + 1 + nest.count + 1)..<end)
                }
            }
        case 7:  // a structural character inserted
            let c = "{}[],:\"\\-e.0".unicodeScalars.randomElement(using: &rng)!
            chars.insert(c, at: Int.random(in: 0...chars.count, using: &rng))
        default:  // several number replacements at once
            for _ in 0..<3 {
                if let r = numberRanges().randomElement(using: &rng) {
                    chars.replaceSubrange(r, with: hugeNumbers.randomElement(using: &rng)!.unicodeScalars)
                }
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: chars)
        return String(out)
    }

    static func bases() throws -> [String] {
        var texts: [String] = []
        for name in ["iris-mlp", "mlp-l2-clipnorm", "tiny-activations", "tiny-reshape", "tiny-regression-huber"] {
            let text = try CLI.read(CLI.spec(name))
            texts.append(text)
            // The compact form too, so truncations and deletions hit dense JSON.
            let compact = try JSONSerialization.data(withJSONObject: CLI.parse(text), options: [.sortedKeys])
            texts.append(String(decoding: compact, as: UTF8.self))
        }
        return texts
    }

    @Test func twoHundredMutationsNeverTrap() throws {
        let bases = try Self.bases()
        var rng = SplitMix(seed: 2024)
        let dir = try CLI.temporaryDirectory()
        var statuses: [Int32: Int] = [:]
        for n in 0..<200 {
            var text = Self.mutate(bases[n % bases.count], rng: &rng)
            if n % 3 == 0 { text = Self.mutate(text, rng: &rng) }
            let path = try CLI.write(text, name: "mutant-\(n).json", in: dir)
            let result = CLI.run("validate", path)
            statuses[result.status, default: 0] += 1
            #expect(result.status == 0 || result.status == 2, "mutant \(n): \(text.prefix(400))\n\(result.transcript)")
            if result.status == 2 {
                #expect(result.standardError.contains(path), "mutant \(n): the error names the file: \(result.standardError)")
                #expect(result.standardOutput.isEmpty, "mutant \(n)")
            }
        }
        // Most mutations break the spec; some leave it valid.
        #expect(statuses[2, default: 0] >= 100, "\(statuses)")
    }

    /// Targeted mutations: numbers that overflow shape products, and odd structure.
    @Test(arguments: [
        ("\"units\": 16", "\"units\": 1e300"),
        ("\"units\": 16", "\"units\": 1e15"),
        ("\"units\": 16", "\"units\": 99999999999"),
        ("\"units\": 16", "\"units\": 9223372036854775807"),
        ("\"units\": 16", "\"units\": 9223372036854775808"),
        ("\"units\": 16", "\"units\": -9223372036854775808"),
        ("\"units\": 16", "\"units\": 3037000500"),
        ("\"units\": 3", "\"units\": 4294967296"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [4294967296]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [3037000500, 3037000500]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [9223372036854775807, 2]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [99999999999, 99999999999, 99999999999]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [1e300]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [0]"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": []"),
        ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [[4]]"),
        ("\"layers\": [", "\"layers\": [], \"x\": ["),
        ("\"learning_rate\": 0.01", "\"learning_rate\": -1e300"),
        ("\"learning_rate\": 0.01", "\"learning_rate\": 1e999"),
        ("\"epochs\": 50", "\"epochs\": 99999999999999999999"),
        ("\"epochs\": 50", "\"epochs\": -1"),
        ("\"batch_size\": 16", "\"batch_size\": 0"),
        ("\"type\": \"dense\",\n      \"units\": 16", "\"type\": \"reshape\", \"target_shape\": [99999999999, 99999999999]"),
        ("\"type\": \"dense\",\n      \"units\": 16", "\"type\": \"reshape\", \"target_shape\": [-1, -1]"),
        ("\"type\": \"dense\",\n      \"units\": 16", "\"type\": \"dropout\", \"rate\": 1e300"),
    ] as [(String, String)])
    func targetedMutationNeverTraps(from: String, to: String) throws {
        let base = try CLI.read(CLI.spec("iris-mlp"))
        #expect(base.contains(from), "fixture changed: \(from)")
        let text = base.replacingOccurrences(of: from, with: to)
        let path = try CLI.write(text, name: "targeted.json")
        let result = CLI.run("validate", path)
        #expect(result.status == 0 || result.status == 2, "\(to): \(result.transcript)")
        if result.status == 2 { #expect(result.standardError.contains(path)) }
    }

    @Test func deepNestingIsRejected() throws {
        let dir = try CLI.temporaryDirectory()
        for depth in [100, 101, 10_000, 200_000] {
            let nest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let path = try CLI.write(nest, name: "nest-\(depth).json", in: dir)
            let result = CLI.run("validate", path)
            #expect(result.status == 2, "depth \(depth): \(result.standardError)")
            let inside = try CLI.write("{\"name\": \"x\", \"input_shape\": \(nest), \"layers\": [], \"loss\": \"huber\"}",
                                       name: "inside-\(depth).json", in: dir)
            #expect(CLI.run("validate", inside).status == 2)
        }
    }
}
