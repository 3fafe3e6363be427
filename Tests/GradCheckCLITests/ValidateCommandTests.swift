import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck validate`: the spec check and model summary.
@Suite struct ValidateCommandTests {
    @Test func everyFixtureSpecIsValid() throws {
        let specs = try FileManager.default.contentsOfDirectory(atPath: CLI.specsDirectory.path).filter { $0.hasSuffix(".json") }
        #expect(!specs.isEmpty)
        for spec in specs {
            let result = CLI.run("validate", CLI.specsDirectory.appendingPathComponent(spec).path)
            #expect(result.status == 0, "\(spec): \(result.transcript)")
        }
    }

    /// The integer after `label` in `text` (commas allowed: `52,650`).
    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "," }
        return Int(digits.replacingOccurrences(of: ",", with: ""))
    }

    @Test func summaryOfMlpL2Clipnorm() throws {
        let result = CLI.run("validate", CLI.spec("mlp-l2-clipnorm"))
        #expect(result.status == 0, "\(result.transcript)")
        let out = result.standardOutput
        #expect(out.contains("mlp-l2-clipnorm"))
        #expect(Self.number(after: "Total params:", in: out) == 52_650, "\(out)")
        #expect(Self.number(after: "Trainable params:", in: out) == 52_650)
        #expect(Self.number(after: "Non-trainable params:", in: out) == 0)
        let lines = out.split(separator: "\n")
        for (layer, shape, params) in [("dense_1", "[None, 64]", "50240"), ("dense_2", "[None, 32]", "2080"),
                                       ("dense_3", "[None, 10]", "330")] {
            let line = try #require(lines.first { $0.hasPrefix(layer) }, "no \(layer) row in:\n\(out)")
            #expect(line.contains(shape), "\(line)")
            #expect(line.hasSuffix(params), "\(line)")
        }
        #expect(lines.first { $0.hasPrefix("dense_3") }?.contains("softmax") == true)
    }

    @Test func summaryShowsEveryLayersOutputShape() throws {
        let result = CLI.run("validate", CLI.spec("tiny-reshape"))
        #expect(result.status == 0, "\(result.transcript)")
        let lines = result.standardOutput.split(separator: "\n")
        for (layer, shape) in [("dense_1", "[None, 2, 4]"), ("flatten_1", "[None, 8]"), ("reshape_1", "[None, 2, 4]"),
                               ("flatten_2", "[None, 8]"), ("dense_2", "[None, 3]")] {
            let line = try #require(lines.first { $0.hasPrefix(layer + " ") }, "no \(layer) row in:\n\(result.standardOutput)")
            #expect(line.contains(shape), "\(line)")
        }
    }

    @Test func jsonSummaryFields() throws {
        let result = CLI.run("validate", CLI.spec("mlp-l2-clipnorm"), "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["format"] as? String == "gradcheck.summary/1")
        #expect(json["valid"] as? Bool == true)
        #expect(json["model"] as? String == "mlp-l2-clipnorm")
        #expect(json["input_shape"] as? [Int] == [784])
        #expect(json["output_shape"] as? [Int] == [10])
        #expect(json["total_parameters"] as? Int == 52_650)
        #expect(json["trainable_parameters"] as? Int == 52_650)
        #expect((json["loss"] as? String)?.isEmpty == false)
        let layers = try #require(json["layers"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == ["dense_1", "dense_2", "dense_3"])
        #expect(layers.map { $0["type"] as? String } == ["dense", "dense", "dense"])
        #expect(layers.map { $0["output_shape"] as? [Int] } == [[64], [32], [10]])
        let first = try #require(layers[0]["parameters"] as? [[String: Any]])
        #expect(first.map { $0["name"] as? String } == ["dense_1/kernel", "dense_1/bias"])
        #expect(first.map { $0["shape"] as? [Int] } == [[784, 64], [64]])
        #expect(first.allSatisfy { $0["trainable"] as? Bool == true })
        // The parameter counts add up to the total.
        let total = layers.flatMap { ($0["parameters"] as? [[String: Any]]) ?? [] }
            .map { (($0["shape"] as? [Int]) ?? []).reduce(1, *) }.reduce(0, +)
        #expect(total == 52_650)
    }

    @Test func jsonSummaryOfLayersWithoutParameters() throws {
        let result = CLI.run("validate", CLI.spec("mlp-dropout"), "--format", "json")
        let json = try CLI.object(result.standardOutput)
        let layers = try #require(json["layers"] as? [[String: Any]])
        #expect(layers.map { $0["name"] as? String } == ["dense_1", "dropout_1", "dense_2"])
        #expect((layers[1]["parameters"] as? [Any])?.isEmpty == true)
        #expect(layers[1]["output_shape"] as? [Int] == [64])
    }

    @Test func markdownSummaryHasATable() {
        let result = CLI.run("validate", CLI.spec("mlp-l2-clipnorm"), "--format", "markdown")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("| layer | type | output shape | params |"))
        #expect(result.standardOutput.contains("| dense_1 |"))
        #expect(result.standardOutput.contains("52650") || result.standardOutput.contains("52,650"))
    }

    @Test func validateTakesOnlyFormat() {
        let result = CLI.run("validate", CLI.spec("iris-mlp"), "--weights", CLI.reference("iris-mlp", "weights"))
        #expect(result.status == 2)
        #expect(result.standardError.contains("--weights"))
    }
}
