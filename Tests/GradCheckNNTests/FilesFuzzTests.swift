import Foundation
import Testing
@testable import GradCheckNN

private func decodeAny(_ bytes: [UInt8]) throws(SpecError) {
    let v = try JSONParser.parse(bytes, file: "fuzz.json")
    _ = try? ModelSpec.decode(v, file: "fuzz.json")
    _ = try? WeightsFile.decode(v, file: "fuzz.json")
    _ = try? BatchFile.decode(v, file: "fuzz.json")
    _ = try? GradientsFile.decode(v, file: "fuzz.json")
}

private func sampleFiles() throws -> [[UInt8]] {
    var files: [[UInt8]] = []
    for name in ["mlp-l2-clipnorm.json", "tiny-activations.json"] {
        files.append([UInt8](try Data(contentsOf: SpecTestSupport.specsDirectory.appendingPathComponent(name))))
    }
    let ref = SpecTestSupport.referenceDirectory.appendingPathComponent("tiny-logits")
    for name in ["weights.json", "batch.json", "gradients.json"] {
        files.append([UInt8](try Data(contentsOf: ref.appendingPathComponent(name))))
    }
    return files
}

@Test func truncatedFilesAlwaysThrow() throws {
    var rng = TestRNG(seed: 11)
    for file in try sampleFiles() {
        guard let lastBrace = file.lastIndex(of: UInt8(ascii: "}")) else { continue }
        var cuts = Set((0..<40).map { _ in Int.random(in: 0..<lastBrace, using: &rng) })
        cuts.formUnion([0, 1, lastBrace - 1])
        for cut in cuts.sorted() {
            let truncated = Array(file[..<cut])
            let error = SpecTestSupport.error { () throws(SpecError) in try decodeAny(truncated) }
            #expect(error != nil, "cut at \(cut)")
        }
        // Torn through the typed decoders too.
        let half = Array(file[..<(file.count / 2)])
        #expect(SpecTestSupport.error { () throws(SpecError) in
            try WeightsFile.decode(JSONParser.parse(half))
        } != nil)
    }
}

@Test func byteFlipsNeverTrap() throws {
    var rng = TestRNG(seed: 12)
    var thrown = 0
    var total = 0
    for file in try sampleFiles() {
        for _ in 0..<60 {
            var mutated = file
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<mutated.count, using: &rng)
                mutated[i] = UInt8.random(in: 0...255, using: &rng)
            }
            total += 1
            if SpecTestSupport.error({ () throws(SpecError) in try decodeAny(mutated) }) != nil { thrown += 1 }
            // Every typed decoder either succeeds or throws a SpecError; none traps.
            if let v = try? JSONParser.parse(mutated) {
                _ = SpecTestSupport.error { () throws(SpecError) in try ModelSpec.decode(v) }
                _ = SpecTestSupport.error { () throws(SpecError) in try GradientsFile.decode(v) }
            }
        }
    }
    #expect(total == 300)
    #expect(thrown > 0)
}

@Test func structuralDamageIsReportedNotTrapped() {
    let cases = [
        #"{"name": "m", "input_shape": [1e308, 1e308], "layers": [{"type": "flatten"}], "loss": "huber"}"#,
        #"{"parameters": {"k": {"shape": [9007199254740993], "values": []}}}"#,
        #"{"parameters": {"k": {"shape": [1e300], "values": []}}}"#,
        #"{"training": {"seed": 1e30}, "name": "m", "input_shape": [1], "layers": [{"type": "flatten"}], "loss": "huber"}"#,
        "\"\\uD83D\\u0041\"",
        String(repeating: "{\"a\":", count: 200),
        "[" + String(repeating: "-", count: 5) + "]",
        "{\"a\":\"\u{0}\"}",
    ]
    for c in cases {
        let bytes = Array(c.utf8)
        #expect(SpecTestSupport.error { () throws(SpecError) in
            let v = try JSONParser.parse(bytes)
            _ = try ModelSpec.decode(v)
            _ = try WeightsFile.decode(v)
        } != nil, "\(c.prefix(40))")
    }
}
