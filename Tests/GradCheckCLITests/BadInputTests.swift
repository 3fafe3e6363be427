import Foundation
import Testing
import GradCheck
@testable import GradCheckCLI

/// Wrong specs, weights, batches and flags: exit status 2 and a message that names the
/// file, the JSON path and what was expected. Never a crash.
@Suite struct BadInputTests {
    /// Runs `validate` (and `gradients`, which also builds the session) on `path` and
    /// expects exit 2 with `mentions` on standard error.
    static func expectBad(_ arguments: [String], mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let result = CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.standardOutput.isEmpty, "\(arguments): nothing on stdout", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(result.standardError.contains(m), "\(arguments): expected \"\(m)\" in: \(result.standardError)",
                    sourceLocation: sourceLocation)
        }
    }

    static func expectBadSpec(_ path: String, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for command in ["validate", "check", "gradients"] {
            expectBad([command, path], mentions: [path] + mentions, sourceLocation: sourceLocation)
        }
    }

    // MARK: Specs

    @Test func missingSpecFile() {
        Self.expectBadSpec("/nonexistent/dir/spec.json", mentions: ["file not found"])
    }

    @Test func specThatIsADirectory() {
        Self.expectBadSpec(CLI.specsDirectory.path, mentions: ["directory"])
    }

    @Test func truncatedJSON() {
        Self.expectBadSpec(CLI.data("truncated.json"), mentions: ["invalid JSON", "line 6"])
    }

    @Test func emptyAndNonObjectSpecs() throws {
        let dir = try CLI.temporaryDirectory()
        for (name, text) in [("empty.json", ""), ("array.json", "[]"), ("number.json", "42"), ("null.json", "null"),
                             ("garbage.json", "{\"layers\": [] } trailing")] {
            Self.expectBadSpec(try CLI.write(text, name: name, in: dir), mentions: [])
        }
    }

    @Test func unknownKeySuggestsTheRightOne() {
        Self.expectBadSpec(CLI.data("unit-typo.json"), mentions: ["layers[0].unit", "unknown key", "did you mean \"units\""])
    }

    @Test func negativeUnits() {
        Self.expectBadSpec(CLI.data("negative-units.json"), mentions: ["layers[0].units", "positive integer", "-3"])
    }

    @Test func unknownLayerType() {
        Self.expectBadSpec(CLI.data("unknown-layer.json"), mentions: ["layers[1].type", "dense_layer", "did you mean \"dense\""])
    }

    /// A layer the format defines but this version does not build yet: `gru` with
    /// `reset_after: false` (the Keras 2 GRU), and any type still listed as unsupported.
    @Test func unsupportedLayerType() throws {
        Self.expectBadSpec(CLI.data("gru-reset-before.json"), mentions: ["layers[0].reset_after", "not supported"])
        let base = try CLI.read(CLI.data("small-cnn.json"))
        for type in LayerKind.unsupportedTypeNames {
            let path = try CLI.write(base.replacingOccurrences(of: "\"conv2d\"", with: "\"\(type)\""), name: "\(type).json")
            Self.expectBad(["validate", path], mentions: [path, "layers[0].type", type, "not supported yet"])
        }
    }

    /// conv2d was "not supported yet" at first; now it builds (and so must say so in the summary).
    @Test func convolutionSpecValidates() {
        let result = CLI.run("validate", CLI.data("small-cnn.json"))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("[None, 6, 6, 4]"), "\(result.standardOutput)")
    }

    @Test func unknownActivation() {
        Self.expectBadSpec(CLI.data("unknown-activation.json"), mentions: ["layers[0].activation", "rellu", "did you mean \"relu\""])
    }

    @Test func otherSpecMistakesNameTheirPath() throws {
        let base = try CLI.read(CLI.spec("iris-mlp"))
        let dir = try CLI.temporaryDirectory()
        let cases: [(String, String, [String])] = [
            ("\"units\": 16", "\"units\": 1.5", ["layers[0].units"]),
            ("\"units\": 16", "\"units\": \"16\"", ["layers[0].units"]),
            ("\"units\": 16", "\"units\": 0", ["layers[0].units"]),
            ("\"units\": 16", "\"units\": 1e15", ["layers[0]", "too large"]),
            ("\"loss\": \"sparse_categorical_crossentropy\"", "\"loss\": \"sparse_categorical_crossentropi\"", ["loss"]),
            ("\"format\": \"gradcheck.model/1\"", "\"format\": \"gradcheck.model/2\"", ["format"]),
            ("\"learning_rate\": 0.01", "\"learning_rate\": 0.01, \"lr\": 1", ["training.optimizer.lr"]),
            ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": []", ["input_shape"]),
            ("\"input_shape\": [\n    4\n  ]", "\"input_shape\": [-4]", ["input_shape"]),
        ]
        for (i, (from, to, mentions)) in cases.enumerated() {
            #expect(base.contains(from), "fixture changed: \(from)")
            let path = try CLI.write(base.replacingOccurrences(of: from, with: to), name: "case\(i).json", in: dir)
            Self.expectBad(["validate", path], mentions: [path] + mentions)
        }
    }

    // MARK: Weights and batch files

    static func irisWeights() throws -> [String: Any] { try CLI.loadJSON(CLI.reference("iris-mlp", "weights")) }
    static func irisBatch() throws -> [String: Any] { try CLI.loadJSON(CLI.reference("iris-mlp", "batch")) }

    static func withWeights(_ change: (inout [String: Any]) throws -> Void) throws -> String {
        var weights = try irisWeights()
        var parameters = try #require(weights["parameters"] as? [String: Any])
        try change(&parameters)
        weights["parameters"] = parameters
        return try CLI.writeJSON(weights, name: "weights.json")
    }

    static func runWeights(_ path: String, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for command in ["gradients", "check", "compare"] {
            var arguments = [command, CLI.spec("iris-mlp"), "--weights", path, "--batch", CLI.reference("iris-mlp", "batch")]
            if command == "compare" { arguments += ["--reference", CLI.reference("iris-mlp", "gradients")] }
            expectBad(arguments, mentions: [path] + mentions, sourceLocation: sourceLocation)
        }
    }

    @Test func weightsMissingAParameter() throws {
        let path = try Self.withWeights { $0["dense_1/bias"] = nil }
        Self.runWeights(path, mentions: ["dense_1/bias", "missing", "[16]"])
    }

    @Test func weightsWithAnExtraParameter() throws {
        let path = try Self.withWeights { $0["dense_9/kernel"] = $0["dense_1/bias"] }
        Self.runWeights(path, mentions: ["parameters[\"dense_9/kernel\"]", "dense_1/kernel"])
    }

    @Test func weightsWithAWrongShape() throws {
        let path = try Self.withWeights {
            var bias = try #require($0["dense_1/bias"] as? [String: Any])
            bias["shape"] = [2, 8]
            $0["dense_1/bias"] = bias
        }
        Self.runWeights(path, mentions: ["parameters[\"dense_1/bias\"]", "expected [16]", "[2, 8]"])
    }

    @Test func weightsWithValuesThatDoNotFitTheShape() throws {
        let path = try Self.withWeights {
            var bias = try #require($0["dense_1/bias"] as? [String: Any])
            bias["values"] = [1, 2, 3]
            $0["dense_1/bias"] = bias
        }
        Self.runWeights(path, mentions: ["dense_1/bias"])
    }

    @Test func weightsWithAStringValue() throws {
        let path = try Self.withWeights {
            var bias = try #require($0["dense_1/bias"] as? [String: Any])
            var values = try #require(bias["values"] as? [Any])
            values[3] = "three"
            bias["values"] = values
            $0["dense_1/bias"] = bias
        }
        Self.runWeights(path, mentions: ["dense_1/bias", "values[3]"])
    }

    @Test func aBatchFileGivenAsWeights() {
        Self.runWeights(CLI.reference("iris-mlp", "batch"), mentions: [])
    }

    static func withBatch(_ change: (inout [String: Any]) throws -> Void) throws -> String {
        var batch = try irisBatch()
        try change(&batch)
        return try CLI.writeJSON(batch, name: "batch.json")
    }

    static func runBatch(_ path: String, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for command in ["gradients", "check"] {
            expectBad([command, CLI.spec("iris-mlp"), "--weights", CLI.reference("iris-mlp", "weights"), "--batch", path],
                      mentions: [path] + mentions, sourceLocation: sourceLocation)
        }
    }

    @Test func batchWithTheWrongInputShape() throws {
        let path = try Self.withBatch {
            var inputs = try #require($0["inputs"] as? [String: Any])
            let values = try #require(inputs["values"] as? [Any])
            inputs["shape"] = [5, 2]
            inputs["values"] = Array(values.prefix(10))
            $0["inputs"] = inputs
        }
        Self.runBatch(path, mentions: ["inputs.shape", "[4]", "[5, 2]"])
    }

    @Test func batchWithMismatchedSampleCounts() throws {
        let path = try Self.withBatch {
            var targets = try #require($0["targets"] as? [String: Any])
            targets["shape"] = [4]
            targets["values"] = [0, 1, 2, 0]
            $0["targets"] = targets
        }
        Self.runBatch(path, mentions: ["targets", "5"])
    }

    @Test func classLabelOutOfRange() throws {
        let path = try Self.withBatch {
            var targets = try #require($0["targets"] as? [String: Any])
            var values = try #require(targets["values"] as? [Any])
            values[1] = 3
            targets["values"] = values
            $0["targets"] = targets
        }
        Self.runBatch(path, mentions: ["targets.values[1]", "0..<3", "3"])
    }

    @Test func negativeClassLabel() throws {
        let path = try Self.withBatch {
            var targets = try #require($0["targets"] as? [String: Any])
            var values = try #require(targets["values"] as? [Any])
            values[2] = -1
            targets["values"] = values
            $0["targets"] = targets
        }
        Self.runBatch(path, mentions: ["targets.values[2]", "-1"])
    }

    @Test func nonIntegerClassLabel() throws {
        let path = try Self.withBatch {
            var targets = try #require($0["targets"] as? [String: Any])
            var values = try #require(targets["values"] as? [Any])
            values[1] = 1.5
            targets["values"] = values
            $0["targets"] = targets
        }
        Self.runBatch(path, mentions: ["targets.values[1]", "1.5"])
    }

    @Test func nonFiniteInputs() throws {
        let path = try Self.withBatch {
            var inputs = try #require($0["inputs"] as? [String: Any])
            var values = try #require(inputs["values"] as? [Any])
            values[0] = "nan"
            inputs["values"] = values
            $0["inputs"] = inputs
        }
        // A well-formed file holding a NaN is a finding (exit 1) naming the place, not bad input.
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--batch", path)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.transcript.contains("\(path): inputs.values[0]: nan"), "\(result.transcript)")
    }

    @Test func batchMissingTargets() throws {
        let path = try Self.withBatch { $0["targets"] = nil }
        Self.runBatch(path, mentions: ["targets"])
    }

    // MARK: Flags and commands

    @Test func unknownFlagSuggestsTheRightOne() {
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--epz", "1e-6"], mentions: ["--epz", "did you mean --eps?"])
        Self.expectBad(["compare", CLI.spec("iris-mlp"), "--refrence", "x.json"], mentions: ["--refrence", "did you mean --reference?"])
        Self.expectBad(["gradients", CLI.spec("iris-mlp"), "--ouput", "x.json"], mentions: ["--ouput", "did you mean --output?"])
        Self.expectBad(["validate", CLI.spec("iris-mlp"), "--eps", "1e-6"], mentions: ["--eps"])
    }

    @Test func flagWithoutValue() {
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--eps"], mentions: ["--eps", "needs a value"])
        Self.expectBad(["gradients", CLI.spec("iris-mlp"), "--weights"], mentions: ["--weights", "needs a value"])
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--no-model=yes"], mentions: ["--no-model", "takes no value"])
    }

    @Test func badNumberForEps() {
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--eps", "abc"], mentions: ["--eps", "\"abc\"", "number"])
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--eps=-1"], mentions: ["--eps", "positive"])
        Self.expectBad(["check", CLI.spec("iris-mlp"), "--eps", "1e-6", "--eps", "1e-5"], mentions: ["--eps", "more than once"])
    }

    @Test func unknownCommand() {
        let result = CLI.run("chek", CLI.spec("iris-mlp"))
        #expect(result.status == 2)
        #expect(result.standardError.contains("unknown command \"chek\""))
        #expect(result.standardError.contains("did you mean \"check\""))
        let empty = CLI.run([])
        #expect(empty.status == 2)
        #expect(empty.standardError.contains("USAGE"))
    }

    @Test func missingOrExtraPositionals() {
        Self.expectBad(["check"], mentions: ["missing SPEC"])
        Self.expectBad(["validate", CLI.spec("iris-mlp"), "extra.json"], mentions: ["unexpected argument \"extra.json\""])
    }

    // MARK: Resource limits

    @Test func validateAcceptsAHugeButLegalSpec() {
        // Validating does not allocate the parameters.
        let result = CLI.run("validate", CLI.data("huge-units.json"))
        #expect(result.status == 0 || result.status == 2, "\(result.transcript)")
    }

    @Test // was a trap: Model.initialParameters allocating 3.2 TB for a spec that validates
    func hugeModelIsRejectedNotAllocated() {
        let result = CLI.run("gradients", CLI.data("huge-units.json"))
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("huge-units.json"))
    }

    @Test func hugeRandomBatchIsRejectedNotAllocated() {
        let result = CLI.run("gradients", CLI.spec("tiny-logits"), "--batch-size", "99999999999")
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains("--batch-size"))
    }
}
