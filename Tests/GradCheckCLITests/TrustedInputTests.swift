import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// Inputs that never fool the tool: non-finite numbers are findings naming their place,
/// targets and label columns are validated by meaning, flags missing their value name the
/// flag, paths fail in plain words, and counts have bounds.
@Suite struct TrustedInputTests {
    /// The iris-mlp fixture weights with one value replaced by `value` (`"nan"`, `"inf"`).
    static func weights(with value: String, at index: Int = 3, parameter: String = "dense_2/kernel") throws -> String {
        var weights = try CLI.loadJSON(CLI.reference("iris-mlp", "weights"))
        var parameters = try #require(weights["parameters"] as? [String: Any])
        var tensor = try #require(parameters[parameter] as? [String: Any])
        var values = try #require(tensor["values"] as? [Any])
        values[index] = value
        tensor["values"] = values
        parameters[parameter] = tensor
        weights["parameters"] = parameters
        return try CLI.writeJSON(weights, name: "weights.json")
    }

    @Test(arguments: ["full", "fast", "dot"])
    func aNaNWeightIsAFindingInEveryMode(mode: String) throws {
        for value in ["nan", "inf", "-inf"] {
            let path = try Self.weights(with: value)
            let result = CLI.run("check", CLI.spec("iris-mlp"), "--weights", path, "--mode", mode)
            #expect(result.status == 1, "\(mode) \(value): \(result.transcript)")
            #expect(result.transcript.contains("\(path): parameters[\"dense_2/kernel\"].values[3]"), "\(result.transcript)")
        }
    }

    @Test func aNaNWeightInJSONFormatIsAReport() throws {
        let path = try Self.weights(with: "nan")
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--weights", path, "--format", "json")
        #expect(result.status == 1, "\(result.transcript)")
        let report = try CLI.object(result.standardOutput)
        #expect(report["passed"] as? Bool == false)
        let nonfinite = try #require(report["nonfinite"] as? [String: Any])
        #expect(nonfinite["file"] as? String == path)
        #expect(nonfinite["place"] as? String == "parameters[\"dense_2/kernel\"].values[3]")
    }

    @Test(arguments: ["full", "fast", "dot"])
    func aNaNInTheBatchIsAFinding(mode: String) throws {
        var batch = try CLI.loadJSON(CLI.reference("iris-mlp", "batch"))
        var inputs = try #require(batch["inputs"] as? [String: Any])
        var values = try #require(inputs["values"] as? [Any])
        values[5] = "nan"
        inputs["values"] = values
        batch["inputs"] = inputs
        let path = try CLI.writeJSON(batch, name: "batch.json")
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--batch", path, "--mode", mode)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.transcript.contains("\(path): inputs.values[5]: nan"), "\(result.transcript)")
    }

    @Test func aNaNInTheCSVIsAFindingWithItsLine() {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris_nan.csv"))
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.transcript.contains("iris_nan.csv: line "), "\(result.transcript)")
        #expect(result.transcript.contains("column \""))
    }

    @Test func anOverflowingForwardPassIsAFinding() throws {
        var weights = try CLI.loadJSON(CLI.reference("iris-mlp", "weights"))
        var parameters = try #require(weights["parameters"] as? [String: Any])
        var tensor = try #require(parameters["dense_1/kernel"] as? [String: Any])
        let count = try #require(tensor["values"] as? [Any]).count
        tensor["values"] = [Double](repeating: 1e308, count: count)
        parameters["dense_1/kernel"] = tensor
        weights["parameters"] = parameters
        let path = try CLI.writeJSON(weights)
        for mode in ["full", "fast", "dot"] {
            let result = CLI.run("check", CLI.spec("iris-mlp"), "--weights", path, "--mode", mode)
            #expect(result.status == 1, "\(result.transcript)")
            #expect(result.standardOutput.contains("NON-FINITE forward pass: output of layer dense_1"), "\(result.transcript)")
        }
    }

    @Test func aReferenceHoldingNaNDoesNotPass() throws {
        // NaN weights make our side NaN too; the same NaN on both sides is not a match.
        var reference = try CLI.loadJSON(CLI.reference("iris-mlp", "gradients"))
        reference["loss"] = "nan"
        let result = CLI.compareFixture("iris-mlp", reference: try CLI.writeJSON(reference))
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardError.contains("non-finite"), "\(result.transcript)")
        let both = CLI.run("compare", CLI.spec("iris-mlp"), "--weights", try Self.weights(with: "nan"),
                           "--batch", CLI.reference("iris-mlp", "batch"), "--reference", CLI.reference("iris-mlp", "gradients"))
        #expect(both.status == 1, "\(both.transcript)")
    }

    // MARK: Meaning

    @Test func aFractionalClassTargetIsRefusedWithItsPath() throws {
        var batch = try CLI.loadJSON(CLI.reference("iris-mlp", "batch"))
        var targets = try #require(batch["targets"] as? [String: Any])
        var values = try #require(targets["values"] as? [Any])
        values[2] = 0.5
        targets["values"] = values
        batch["targets"] = targets
        let path = try CLI.writeJSON(batch, name: "batch.json")
        for command in ["check", "gradients"] {
            let result = CLI.run(command, CLI.spec("iris-mlp"), "--batch", path)
            #expect(result.status == 2, "\(result.transcript)")
            #expect(result.standardError.contains(path) && result.standardError.contains("targets.values[2]"), "\(result.transcript)")
        }
        let csv = try CLI.write("a,b,c,d,label\n1,2,3,4,0\n2,3,4,5,0.5\n", name: "half.csv")
        let fromCSV = CLI.run("check", CLI.spec("iris-mlp"), "--data", csv)
        #expect(fromCSV.status == 2, "\(fromCSV.transcript)")
        #expect(fromCSV.standardError.contains(csv))
    }

    @Test func aLabelThatLeavesTheLabelColumnAsAFeatureIsAnError() {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--label", "petal_width_cm")
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("iris.csv") && result.standardError.contains("\"label\""), "\(result.transcript)")
    }

    // MARK: Flags

    @Test func aFlagWithoutItsValueNamesTheFlag() {
        let result = CLI.run("train", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--epochs", "--seed", "1")
        #expect(result.status == 2)
        #expect(result.standardError.contains("--epochs needs a value"), "\(result.transcript)")
        #expect(!result.standardError.contains("unexpected argument"))
        let atEnd = CLI.run("check", CLI.spec("iris-mlp"), "--eps")
        #expect(atEnd.standardError.contains("--eps needs a value"), "\(atEnd.transcript)")
        // A negative number is a value, and --flag=--x says what is meant.
        let negative = CLI.run("check", CLI.spec("iris-mlp"), "--atol", "-1")
        #expect(negative.standardError.contains("--atol: expected a non-negative number"), "\(negative.transcript)")
    }

    @Test func anEmptyPathNamesTheFlag() {
        let result = CLI.run("train", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--epochs", "1",
                             "--save-weights", "")
        #expect(result.status == 2)
        #expect(result.standardError.contains("--save-weights: expected a file path, got an empty string"), "\(result.transcript)")
        #expect(!result.standardError.contains("NSCocoaErrorDomain"))
    }

    @Test func aPathProblemIsInPlainWords() throws {
        let dir = try CLI.temporaryDirectory()
        let missing = dir.appendingPathComponent("no/such/dir/g.json").path
        let result = CLI.run("gradients", CLI.spec("iris-mlp"), "--output", missing)
        #expect(result.status == 2)
        #expect(result.standardError.contains(missing), "\(result.transcript)")
        #expect(result.standardError.contains("does not exist"), "\(result.transcript)")
        #expect(!result.standardError.contains("NSCocoaErrorDomain"))
        let onDirectory = CLI.run("gradients", CLI.spec("iris-mlp"), "--output", dir.path)
        #expect(onDirectory.status == 2)
        #expect(onDirectory.standardError.contains("is a directory"), "\(onDirectory.transcript)")
        let read = CLI.run("check", CLI.spec("iris-mlp"), "--weights", dir.path)
        #expect(read.status == 2)
        #expect(read.standardError.contains(dir.path) && read.standardError.contains("directory"), "\(read.transcript)")
    }

    @Test(arguments: [
        ["clip-lab", "--seeds", "2147483648"], ["train", "--epochs", "2147483648"], ["check", "--probes", "99999999", "--mode", "fast"],
        ["check", "--threads", "100000"], ["check", "--max-elements", "9223372036854775807"], ["check", "--batch-size", "99999999999"],
    ])
    func countsHaveUpperBounds(arguments: [String]) {
        let command = arguments[0]
        var argv = [command, CLI.spec("iris-mlp")] + arguments.dropFirst()
        if command != "check" { argv += ["--data", CLI.dataset("iris.csv")] }
        let result = CLI.run(argv)
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(arguments[1]), "\(result.transcript)")
    }

    @Test func aLongCheckPrintsAnEstimateFirst() throws {
        // The estimate is calibrated by timing a few evaluations of the check's own objective.
        let model = try Model(spec: ModelSpec.load(path: CLI.spec("mlp-l2-clipnorm")))
        let parameters: ParameterSet<Double> = model.initialParameters(seed: 0)
        var rng = SeededRNG(seed: 1, name: "estimate")
        let batch = 4
        let inputs = Tensor<Double>(unchecked: [batch] + model.inputShape,
                                    scalars: (0..<(batch * model.inputShape.reduce(1, *))).map { _ in rng.normal() })
        let targets = try model.targets(from: ModelSession.randomTargets(model: model, batchSize: batch, rng: &rng), batchSize: batch)
        let modelOnly = try ModelChecker(checkLayers: false).estimate(model, parameters: parameters, inputs: inputs, targets: targets)
        #expect(modelOnly.evaluations == 2 * (inputs.count + model.parameters.filter(\.trainable).map(\.count).reduce(0, +)))
        let full = try ModelChecker().estimate(model, parameters: parameters, inputs: inputs, targets: targets)
        let sampled = try ModelChecker(checker: GradientChecker(maxElements: 10))
            .estimate(model, parameters: parameters, inputs: inputs, targets: targets)
        #expect(full.evaluations > modelOnly.evaluations)
        #expect(sampled.evaluations < full.evaluations)
        #expect(full.seconds > 0 && sampled.seconds > 0)
        // A small check prints nothing before it starts.
        let quick = CLI.run("check", CLI.spec("tiny-logits"))
        #expect(!quick.standardError.contains("note: about"), "\(quick.transcript)")
    }
}
