import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck compare` against the PyTorch float64 references in `Fixtures/reference`.
@Suite struct CompareReferenceTests {
    static let referenced: [String] = (try? CLI.specsWithReference()) ?? []

    @Test func everyReferenceHasASpecAndItsThreeFiles() throws {
        #expect(Self.referenced.count >= 12, "\(Self.referenced)")
        let directories = try FileManager.default.contentsOfDirectory(atPath: CLI.referenceDirectory.path)
            .filter { !$0.hasPrefix(".") }
        #expect(Set(directories) == Set(Self.referenced), "reference directories without a spec")
        for spec in Self.referenced {
            for file in ["weights", "batch", "gradients"] {
                #expect(FileManager.default.fileExists(atPath: CLI.reference(spec, file)), "\(spec)/\(file).json")
            }
        }
    }

    /// The acceptance test: gradients match PyTorch float64 to 1e-9 relative.
    @Test(arguments: referenced)
    func gradientsMatchPyTorchFloat64(spec: String) throws {
        let result = CLI.compareFixture(spec, ["--rtol", "1e-9", "--format", "json"])
        #expect(result.status == 0, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["format"] as? String == "gradcheck.compare/1")
        #expect(json["matched"] as? Bool == true)
        #expect((json["rtol"] as? Double).map { $0 <= 1e-9 } == true)
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        let names = Set(tensors.compactMap { $0["name"] as? String })
        // Every parameter of the reference and the loss are compared.
        let reference = try CLI.loadJSON(CLI.reference(spec, "gradients"))
        let referenceNames = try #require(reference["parameters"] as? [String: Any]).keys
        #expect(names.isSuperset(of: referenceNames))
        #expect(names.contains("loss"))
        // One input: `inputs`; several: `inputs["name"]` for each float input.
        if let keyed = reference["inputs"] as? [String: Any], keyed["shape"] == nil {
            for name in keyed.keys { #expect(names.contains("inputs[\"\(name)\"]"), "\(name)") }
        } else if reference["inputs"] != nil {
            #expect(names.contains("inputs"))
        }
        for t in tensors { #expect(t["status"] as? String == "match", "\(t)") }
    }

    @Test func defaultToleranceIsOneInABillionAndTextSaysMatch() {
        let result = CLI.compareFixture("mlp-l2-clipnorm")
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("MATCH"))
        #expect(result.standardOutput.contains("rtol 1.0e-09"))
        #expect(result.standardOutput.contains("dense_3/kernel"))
    }

    // MARK: Perturbed references

    /// The reference of `spec`, as Foundation objects.
    static func reference(_ spec: String) throws -> [String: Any] {
        try CLI.loadJSON(CLI.reference(spec, "gradients"))
    }

    /// Position of the largest-magnitude value of a tensor, flat and per axis.
    static func largest(_ tensor: [String: Any]) throws -> (flat: Int, index: [Int]) {
        let values = try #require(tensor["values"] as? [Any]).map { ($0 as? NSNumber)?.doubleValue ?? 0 }
        let shape = try #require(tensor["shape"] as? [Int])
        let flat = values.indices.max { abs(values[$0]) < abs(values[$1]) }!
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for axis in shape.indices.reversed() {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return (flat, index)
    }

    @Test func unchangedReferenceRoundTripsThroughFoundation() throws {
        // Guards the perturbation tests below: re-serialising alone must not break the match.
        let path = try CLI.writeJSON(Self.reference("tiny-logits"))
        let result = CLI.compareFixture("tiny-logits", reference: path)
        #expect(result.status == 0, "\(result.transcript)")
    }

    @Test(arguments: ["tiny-logits", "mlp-l2-clipnorm"])
    func oneElementOffByOneInAMillionFailsAndIsNamed(spec: String) throws {
        var reference = try Self.reference(spec)
        var parameters = try #require(reference["parameters"] as? [String: Any])
        let name = "dense_2/kernel"
        var tensor = try #require(parameters[name] as? [String: Any])
        let (flat, index) = try Self.largest(tensor)
        var values = try #require(tensor["values"] as? [Any])
        let old = try #require(values[flat] as? NSNumber).doubleValue
        values[flat] = old * (1 + 1e-6)
        tensor["values"] = values
        parameters[name] = tensor
        reference["parameters"] = parameters
        let path = try CLI.writeJSON(reference)

        let text = CLI.compareFixture(spec, reference: path)
        #expect(text.status == 1, "\(text.transcript)")
        let line = try #require(text.standardOutput.split(separator: "\n").first { $0.hasPrefix(name) },
                                "\(text.transcript)")
        #expect(line.contains("MISMATCH"))
        #expect(line.contains("\(index)"), "expected index \(index) in: \(line)")
        #expect(text.standardOutput.contains("MISMATCH:"))

        let json = CLI.compareFixture(spec, reference: path, ["--format", "json"])
        #expect(json.status == 1)
        let object = try CLI.object(json.standardOutput)
        #expect(object["matched"] as? Bool == false)
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        let bad = tensors.filter { $0["status"] as? String == "mismatch" }
        #expect(bad.count == 1)
        #expect(bad.first?["name"] as? String == name)
        #expect(bad.first?["index"] as? [Int] == index)
        #expect((bad.first?["reference"] as? Double).map { abs($0 - old * (1 + 1e-6)) <= 1e-15 * abs(old) + 1e-300 } == true)
        let rel = try #require(bad.first?["max_rel_diff"] as? Double)
        #expect(rel > 5e-7 && rel < 2e-6)
    }

    /// With several mismatched elements, the reported index is the one furthest outside
    /// the tolerance, not the first one that fails.
    @Test func theWorstOfSeveralMismatchesIsReported() throws {
        var reference = try Self.reference("iris-mlp")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        var tensor = try #require(parameters["dense_1/kernel"] as? [String: Any])
        var values = try #require(tensor["values"] as? [Any]).map { try #require($0 as? NSNumber).doubleValue }
        let shape = try #require(tensor["shape"] as? [Int])
        let nonzero = values.indices.filter { abs(values[$0]) > 1e-3 }
        let (small, large) = (try #require(nonzero.first), try #require(nonzero.last))
        values[small] *= 1 + 1e-6
        values[large] *= 1 + 1e-2
        tensor["values"] = values
        parameters["dense_1/kernel"] = tensor
        reference["parameters"] = parameters
        let result = CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference), ["--format", "json"])
        #expect(result.status == 1, "\(result.transcript)")
        let row = try #require((try CLI.object(result.standardOutput)["tensors"] as? [[String: Any]])?
            .first { $0["name"] as? String == "dense_1/kernel" })
        #expect(row["index"] as? [Int] == [large / shape[1], large % shape[1]], "\(row)")
        let rel = try #require(row["max_rel_diff"] as? Double)
        #expect(rel > 0.5e-2 && rel < 2e-2)
    }

    /// A NaN or infinity on one side only is a mismatch, and the worst one.
    @Test(arguments: ["nan", "inf", "-inf"])
    func aNonFiniteReferenceValueIsTheWorstMismatch(value: String) throws {
        var reference = try Self.reference("iris-mlp")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        var tensor = try #require(parameters["dense_2/kernel"] as? [String: Any])
        var values = try #require(tensor["values"] as? [Any])
        values[0] = try #require(values[0] as? NSNumber).doubleValue * (1 + 1e-3)
        values[7] = value
        tensor["values"] = values
        parameters["dense_2/kernel"] = tensor
        reference["parameters"] = parameters
        let result = CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference), ["--format", "json"])
        #expect(result.status == 1, "\(result.transcript)")
        let row = try #require((try CLI.object(result.standardOutput)["tensors"] as? [[String: Any]])?
            .first { $0["name"] as? String == "dense_2/kernel" })
        #expect(row["status"] as? String == "mismatch")
        #expect(row["index"] as? [Int] == [2, 1], "\(row)")   // flat 7 in [16, 3]
    }

    @Test func aChangedLossIsAMismatch() throws {
        var reference = try Self.reference("tiny-regression-mse")
        reference["loss"] = try #require(reference["loss"] as? Double) * (1 + 1e-6)
        let result = CLI.compareFixture("tiny-regression-mse", reference: try CLI.writeJSON(reference))
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardOutput.split(separator: "\n").contains { $0.hasPrefix("loss") && $0.contains("MISMATCH") })
    }

    @Test func aLooserToleranceAcceptsTheSameChange() throws {
        var reference = try Self.reference("tiny-logits")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        var tensor = try #require(parameters["dense_1/bias"] as? [String: Any])
        var values = try #require(tensor["values"] as? [Any])
        values[0] = try #require(values[0] as? NSNumber).doubleValue * (1 + 1e-6)
        tensor["values"] = values
        parameters["dense_1/bias"] = tensor
        reference["parameters"] = parameters
        let path = try CLI.writeJSON(reference)
        #expect(CLI.compareFixture("tiny-logits", reference: path).status == 1)
        #expect(CLI.compareFixture("tiny-logits", reference: path, ["--rtol", "1e-5"]).status == 0)
    }

    @Test func aReferenceMissingAParameterFails() throws {
        var reference = try Self.reference("iris-mlp")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        parameters["dense_1/bias"] = nil
        reference["parameters"] = parameters
        let result = CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference))
        #expect(result.status == 1, "\(result.transcript)")
        let line = result.standardOutput.split(separator: "\n").first { $0.hasPrefix("dense_1/bias") }
        #expect(line?.contains("missing from the reference") == true, "\(result.transcript)")

        let json = try CLI.object(CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference), ["--format", "json"]).standardOutput)
        #expect(json["matched"] as? Bool == false)
        let row = (json["tensors"] as? [[String: Any]])?.first { $0["name"] as? String == "dense_1/bias" }
        #expect(row?["status"] as? String == "mismatch")
        #expect(row?["note"] as? String == "missing from the reference")
    }

    @Test func aReferenceWithAnUnknownParameterIsBadInput() throws {
        var reference = try Self.reference("iris-mlp")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        parameters["dense_9/kernel"] = parameters["dense_1/bias"]
        reference["parameters"] = parameters
        let path = try CLI.writeJSON(reference)
        let result = CLI.compareFixture("iris-mlp", reference: path)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains(path))
        #expect(result.standardError.contains("parameters[\"dense_9/kernel\"]"))
        #expect(result.standardError.contains("dense_1/kernel"), "lists the parameters the model has")
    }

    @Test func aReferenceTensorOfTheWrongShapeIsBadInput() throws {
        var reference = try Self.reference("iris-mlp")
        var parameters = try #require(reference["parameters"] as? [String: Any])
        var bias = try #require(parameters["dense_1/bias"] as? [String: Any])
        bias["shape"] = [2, 8]
        parameters["dense_1/bias"] = bias
        reference["parameters"] = parameters
        let path = try CLI.writeJSON(reference)
        let result = CLI.compareFixture("iris-mlp", reference: path)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(path))
        #expect(result.standardError.contains("dense_1/bias"))
        #expect(result.standardError.contains("[16]"))
    }

    @Test func aReferenceWithoutInputGradientsComparesTheRest() throws {
        var reference = try Self.reference("iris-mlp")
        reference["inputs"] = nil
        let result = CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardError.contains("no input gradient"))
    }

    @Test func aReferenceThatIsNotAGradientsFileIsBadInput() throws {
        // The weights file is valid JSON of another format.
        let result = CLI.compareFixture("iris-mlp", reference: CLI.reference("iris-mlp", "weights"))
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("weights.json"))
        let missing = CLI.compareFixture("iris-mlp", reference: "/nonexistent/gradients.json")
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent/gradients.json"))
    }

    @Test func compareNeedsAReference() {
        let result = CLI.run("compare", CLI.spec("iris-mlp"), "--weights", CLI.reference("iris-mlp", "weights"),
                             "--batch", CLI.reference("iris-mlp", "batch"))
        #expect(result.status == 2)
        #expect(result.standardError.contains("--reference"))
        let negative = CLI.compareFixture("iris-mlp", ["--rtol", "-1"])
        #expect(negative.status == 2)
        #expect(negative.standardError.contains("--rtol"))
    }

    @Test func jsonOutputIsOneObjectWithMatched() throws {
        let result = CLI.compareFixture("tiny-reshape", ["--format", "json"])
        #expect(result.status == 0)
        let json = try CLI.object(result.standardOutput)
        #expect(json["matched"] as? Bool == true)
        #expect(json["format"] as? String == "gradcheck.compare/1")
        #expect(json["reference"] as? String == CLI.reference("tiny-reshape", "gradients"))
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        for t in tensors {
            for key in ["name", "shape", "max_abs_diff", "max_rel_diff", "status"] { #expect(t[key] != nil, "\(key) in \(t)") }
        }
    }

    @Test func markdownOutputHasATable() {
        let result = CLI.compareFixture("tiny-logits", ["--format", "markdown"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("| tensor | shape |"))
        #expect(result.standardOutput.contains("|---|"))
        #expect(result.standardOutput.contains("**MATCH"))
    }
}
