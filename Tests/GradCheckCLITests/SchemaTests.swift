import Foundation
import GradCheckNN
import Testing
@testable import GradCheckCLI

/// Every fixture, every file the tool writes and every JSON example in docs/FORMATS.md
/// validates against the committed schemas in docs/schemas/ (with our own validator;
/// Scripts/docs/validate_schemas.py runs the same files through Python's jsonschema).
@Suite struct SchemaTests {
    static let validator: SchemaValidator? = try? SchemaValidator(directory: CLI.root.appendingPathComponent("docs/schemas"))

    static let byFormat = [
        "gradcheck.model/1": "model", "gradcheck.weights/1": "weights", "gradcheck.batch/1": "batch",
        "gradcheck.gradients/1": "gradients", "gradcheck.check/1": "check", "gradcheck.compare/1": "compare",
        "gradcheck.summary/1": "summary", "gradcheck.train/1": "train", "gradcheck.health/1": "health",
        "gradcheck.cliplab/1": "cliplab", "gradcheck.doctor/1": "doctor", "gradcheck.log/1": "log-line",
        "gradcheck.sweep/1": "sweep", "gradcheck.healthcompare/1": "healthcompare", "gradcheck.check-part/1": "check-part", "gradcheck.audit/1": "audit",
    ]

    /// The schema of a document: from its `format` tag (an `event` means a run-log line),
    /// else from where the file lies.
    static func schema(for value: JSONValue, path: String) -> String? {
        if value["event"] != nil { return "log-line.schema.json" }
        if let tag = value["format"]?.stringValue, let name = byFormat[tag] { return "\(name).schema.json" }
        let parts = path.split(separator: "/").map(String.init)
        let stem = (parts.last ?? "").replacingOccurrences(of: ".json", with: "")
        if parts.contains("reference"), ["weights", "batch", "gradients"].contains(stem) { return "\(stem).schema.json" }
        if parts.contains(where: { ["specs", "lab", "runs"].contains($0) }) { return "model.schema.json" }
        if let o = value.objectValue, Set(o.keys) == ["shape", "values"] { return "tensor.schema.json" }
        return nil
    }

    /// Validates one document and records its problems.
    static func expectValid(_ value: JSONValue, _ where_: String, schema: String? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        guard let validator else {
            Issue.record("docs/schemas could not be loaded", sourceLocation: sourceLocation)
            return
        }
        guard let name = schema ?? Self.schema(for: value, path: where_) else {
            Issue.record("\(where_): no schema for this document", sourceLocation: sourceLocation)
            return
        }
        let problems = validator.validate(value, against: name)
        #expect(problems.isEmpty, "\(where_) against \(name):\n\(problems.prefix(8).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }

    static func parse(_ text: String, _ where_: String) throws -> JSONValue {
        try JSONParser.parse(text, file: where_)
    }

    /// Validates a JSON file or every whole line of a JSON Lines file.
    static func expectValidFile(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try CLI.read(path)
        if path.hasSuffix(".jsonl") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            // A sweep's results file says so on its first line; anything else is a run log.
            let lineSchema = lines.first?.contains("\"gradcheck.sweep-results/1\"") == true
                ? "sweep-results-line.schema.json" : "log-line.schema.json"
            for (k, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let torn = k == lines.count - 1 && !text.hasSuffix("\n")
                guard let value = try? JSONParser.parse(String(line)) else {
                    // A torn last line is what a killed run leaves; anything else must parse.
                    #expect(torn, "\(path):\(k + 1) is not JSON", sourceLocation: sourceLocation)
                    continue
                }
                expectValid(value, "\(path):\(k + 1)", schema: lineSchema, sourceLocation: sourceLocation)
            }
        } else {
            expectValid(try parse(text, path), path, sourceLocation: sourceLocation)
        }
    }

    @Test func schemasLoadAndUseOnlyTheValidatorsSubset() throws {
        let validator = try #require(Self.validator)
        #expect(validator.schemas.count >= 13)
        for (name, schema) in validator.schemas {
            #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema", "\(name)")
            #expect(schema["$id"]?.stringValue == name)
        }
        #expect(validator.unsupported.isEmpty, "\(validator.unsupported)")
    }

    @Test func everyFixtureValidates() throws {
        let fixtures = CLI.root.appendingPathComponent("Fixtures")
        let enumerator = try #require(FileManager.default.enumerator(atPath: fixtures.path))
        var count = 0
        for case let relative as String in enumerator {
            guard relative.hasSuffix(".json") || relative.hasSuffix(".jsonl"), !relative.hasPrefix("clipping/") else { continue }
            let path = fixtures.appendingPathComponent(relative).path
            // Fixtures/keras holds Keras' own files (to_json() models) next to ours: only
            // the ones with a gradcheck format tag are ours to validate.
            if relative.hasPrefix("keras/"), (try? JSONParser.parse(CLI.read(path)))?["format"] == nil { continue }
            // The k-fold reference is test data of a Python script, not a file the tool reads or writes.
            if relative.hasSuffix("kfold-reference.json") { continue }
            try Self.expectValidFile(path)
            count += 1
        }
        #expect(count > 50, "only \(count) fixture files found")
    }

    @Test func theFormatDocumentsExamplesValidate() throws {
        let text = try CLI.read(CLI.root.appendingPathComponent("docs/FORMATS.md").path)
        let blocks = text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 10)
        for (k, block) in blocks.enumerated() {
            if let value = try? JSONParser.parse(block) {
                Self.expectValid(value, "FORMATS.md json block \(k + 1)")
            } else {
                for line in block.split(separator: "\n") {
                    Self.expectValid(try Self.parse(String(line), "FORMATS.md json block \(k + 1)"), "FORMATS.md json block \(k + 1): \(line.prefix(40))")
                }
            }
        }
    }

    @Test func theValidatorRejectsWhatTheFormatRejects() throws {
        let validator = try #require(Self.validator)
        func problems(_ json: String, _ schema: String) throws -> [String] {
            validator.validate(try JSONParser.parse(json), against: "\(schema).schema.json")
        }
        #expect(try problems(#"{"input_shape": [4], "layers": [{"type": "dense", "unit": 3}], "loss": "mean_squared_error"}"#, "model")
            .contains { $0.contains("layers[0].unit: unknown key") })
        #expect(try !problems(#"{"input_shape": [4], "layers": [{"type": "dense", "units": 3, "activation": "rleu"}], "loss": "huber"}"#, "model").isEmpty)
        #expect(try !problems(#"{"layers": [{"type": "flatten"}], "loss": "huber"}"#, "model").isEmpty)   // no input
        #expect(try !problems(#"{"input_shape": [4], "inputs": [{"name": "a", "shape": [4]}], "layers": [{"type": "flatten"}], "loss": "huber"}"#, "model").isEmpty)
        #expect(try problems(#"{"input_shape": [4], "layers": [{"type": "dense", "units": 3, "name": "a/b"}], "loss": "huber"}"#, "model")
            .contains { $0.contains("does not match") })
        #expect(try !problems(#"{"parameters": {"a": {"shape": [2], "values": [1, true]}}}"#, "weights").isEmpty)
        #expect(try !problems(#"{"parameters": {"a": {"shape": [-1], "values": []}}}"#, "weights").isEmpty)
        #expect(try !problems(#"{"event": "run_end", "status": "finished"}"#, "log-line").isEmpty)
        #expect(try problems(#"{"event": "lr_schedule", "anything": 1}"#, "log-line").isEmpty)   // unknown events are skipped
        #expect(try !problems(#"{"format": "gradcheck.check/1", "passed": "yes", "checks": []}"#, "check").isEmpty)
        // A graph spec with the layers other parts of the format define validates.
        #expect(try problems(#"""
            {"inputs": [{"name": "tokens", "shape": [16], "dtype": "int"}], "outputs": "out",
             "layers": [{"type": "embedding", "name": "tok", "input_dim": 50, "output_dim": 8, "inputs": ["tokens"]},
                        {"type": "multi_head_attention", "name": "mha", "num_heads": 2, "key_dim": 4, "inputs": ["tok", "tok"]},
                        {"type": "add", "name": "sum", "inputs": ["tok", "mha"]},
                        {"type": "rms_normalization"}, {"type": "conv1d", "filters": 4, "kernel_size": 3, "padding": "causal"},
                        {"type": "bidirectional", "layer": {"type": "gru", "units": 3}, "merge_mode": "sum"},
                        {"type": "group_normalization", "groups": 1}, {"type": "global_max_pooling1d"},
                        {"type": "dense", "name": "out", "units": 5}],
             "loss": {"type": "sparse_categorical_crossentropy", "from_logits": true}}
            """#, "model") == [])
    }

    // MARK: - Files the tool writes

    static func run(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) -> GradCheckCommand.Result {
        let r = CLI.run(args)
        #expect(r.status != 2, "\(args.joined(separator: " ")): \(r.transcript)", sourceLocation: sourceLocation)
        return r
    }

    @Test func everyJSONOutputValidates() throws {
        let dir = try CLI.temporaryDirectory()
        let ref = { (file: String) in CLI.reference("tiny-logits", file) }
        let spec = CLI.spec("tiny-logits")
        let outputs: [[String]] = [
            ["check", spec, "--format", "json"],
            ["check", CLI.spec("mlp-dropout"), "--format", "json", "--mode", "fast", "--richardson", "--max-elements", "5"],
            ["check", spec, "--format", "json", "--mode", "dot"],
            ["check", CLI.spec("iris-mlp"), "--format", "json", "--budget", "1e-7"],
            ["check", CLI.spec("tiny-regression-mse"), "--shard", "2/3", "--rtol", "0", "--atol", "0", "--eps", "1e-2", "--richardson"],
            ["gradients", spec, "--weights", ref("weights"), "--batch", ref("batch")],
            ["gradients", CLI.spec("embedding-tiny")],
            ["compare", spec, "--weights", ref("weights"), "--batch", ref("batch"), "--reference", ref("gradients"), "--format", "json"],
            ["validate", spec, "--format", "json"],
            ["validate", CLI.spec("digits-cnn"), "--format", "json"],
            ["report", CLI.root.appendingPathComponent("Fixtures/runs/nan-input.jsonl").path, "--format", "json"],
            ["report", CLI.root.appendingPathComponent("Fixtures/logs/torn_last_line.jsonl").path, "--format", "json"],
            ["doctor", "--format", "json"],
            ["audit", spec, "--format", "json"],
            ["audit", CLI.spec("embedding-tiny"), "--format", "json"],
        ]
        for args in outputs {
            let r = Self.run(args)
            Self.expectValid(try Self.parse(r.standardOutput, args.joined(separator: " ")), args.joined(separator: " "))
        }
        // train: its JSON, the run log it writes line by line, and the weights it saves.
        let log = dir.appendingPathComponent("run.jsonl").path, weights = dir.appendingPathComponent("w.json").path
        let train = Self.run(["train", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--epochs", "2",
                              "--log", log, "--save-weights", weights, "--format", "json"])
        Self.expectValid(try Self.parse(train.standardOutput, "train"), "train --format json")
        try Self.expectValidFile(log)
        Self.expectValid(try Self.parse(CLI.read(weights), weights), weights, schema: "weights.schema.json")
        // clip-lab, small.
        let lab = Self.run(["clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--epochs", "1",
                            "--seeds", "2", "--policies", "none,global_norm:1", "--format", "json"])
        Self.expectValid(try Self.parse(lab.standardOutput, "clip-lab"), "clip-lab --format json")
    }
}
