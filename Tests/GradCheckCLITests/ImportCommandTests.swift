import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck import keras`, and the end-to-end check of a real Keras model: its
/// `to_json()` imported, then `gradcheck compare` against the weights, batch and float64
/// gradients Keras itself exported (`Scripts/export/keras_export.py`).
@Suite struct ImportCommandTests {
    static let keras = CLI.root.appendingPathComponent("Fixtures/keras")
    static func fixture(_ path: String) -> String { keras.appendingPathComponent(path).path }

    static let logits = #"{"type": "sparse_categorical_crossentropy", "from_logits": true}"#
    /// The `--loss` each fixture was exported with (`nil`: from the model's compile_config).
    static let losses: [String: String?] = [
        "mlp": nil, "cnn": "sparse_categorical_crossentropy", "recurrent-stack": "mse", "tcn": "mse", "sequence-conv": logits,
        "transformer-encoder": logits, "cross-attention": logits, "bigru-tagger": logits,
    ]

    /// Every fixture: each is compared with Keras to 1e-9.
    static let compared = ["mlp", "cnn", "recurrent-stack", "sequence-conv", "tcn", "transformer-encoder",
                           "cross-attention", "bigru-tagger"]

    /// `import keras FIXTURE.json [--loss L] --output TMP`; the result and the path written.
    static func importFixture(_ name: String, json: String? = nil) throws -> (GradCheckCommand.Result, String) {
        let output = try CLI.temporaryDirectory().appendingPathComponent("\(name).json").path
        var args = ["import", "keras", json ?? fixture("\(name).json"), "--output", output]
        if let loss = losses[name] ?? nil { args += ["--loss", loss] }
        return (CLI.run(args), output)
    }

    @Test(arguments: compared)
    func importWritesTheCommittedSpec(name: String) throws {
        let (result, output) = try Self.importFixture(name)
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.isEmpty)
        #expect(try CLI.read(output) == CLI.read(Self.fixture("\(name)/spec.json")))
    }

    /// The acceptance test: a real Keras model, imported, has Keras' own float64 gradients.
    @Test(arguments: compared)
    func importedKerasModelMatchesKerasGradients(name: String) throws {
        let (imported, spec) = try Self.importFixture(name)
        #expect(imported.status == 0, "\(imported.transcript)")
        #expect(!imported.standardError.contains("warning"), "\(imported.transcript)")
        let result = CLI.run(["compare", spec, "--weights", Self.fixture("\(name)/weights.json"),
                              "--batch", Self.fixture("\(name)/batch.json"),
                              "--reference", Self.fixture("\(name)/gradients.json"), "--rtol", "1e-9", "--format", "json"])
        #expect(result.status == 0, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["matched"] as? Bool == true)
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        let reference = try CLI.loadJSON(Self.fixture("\(name)/gradients.json"))
        let names = Set(tensors.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: try #require(reference["parameters"] as? [String: Any]).keys))
        #expect(names.contains("loss"))
        // Float inputs have gradients (keyed by name with several inputs); token ids have none.
        if let inputs = reference["inputs"] as? [String: Any], inputs["shape"] == nil {
            for input in inputs.keys { #expect(names.contains("inputs[\"\(input)\"]"), "\(names)") }
        } else if reference["inputs"] != nil {
            #expect(names.contains("inputs"))
        }
    }

    /// The comparison can fail: a Keras model changed after export no longer matches.
    @Test func aChangedKerasModelDoesNotMatch() throws {
        let text = try CLI.read(Self.fixture("mlp.json"))
        #expect(text.contains(#""activation": "tanh""#))
        let changed = try CLI.write(text.replacingOccurrences(of: #""activation": "tanh""#, with: #""activation": "sigmoid""#),
                                    name: "mlp.json")
        let (imported, spec) = try Self.importFixture("mlp", json: changed)
        #expect(imported.status == 0, "\(imported.transcript)")
        let result = CLI.run(["compare", spec, "--weights", Self.fixture("mlp/weights.json"),
                              "--batch", Self.fixture("mlp/batch.json"), "--reference", Self.fixture("mlp/gradients.json")])
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardOutput.contains("MISMATCH"))
    }

    @Test func withoutALossTheSpecHasNoneAndSaysSo() throws {
        let result = CLI.run(["import", "keras", Self.fixture("cnn.json")])
        #expect(result.status == 0, "\(result.transcript)")
        let spec = try CLI.object(result.standardOutput)
        #expect(spec["loss"] == nil)
        #expect(spec["format"] as? String == "gradcheck.model/1")
        #expect(result.standardError.contains(#"note: the spec has no "loss""#))
        #expect(!result.standardError.contains("warning"), "the rest of the spec is valid: \(result.transcript)")
    }

    @Test func kerasArchiveIsReadWithItsCompileConfig() throws {
        for archive in ["mlp.keras", "mlp-deflated.keras"] {
            let result = CLI.run(["import", "keras", Self.fixture(archive)])
            #expect(result.status == 0, "\(result.transcript)")
            #expect(result.standardOutput == (try CLI.read(Self.fixture("mlp/spec.json"))))
        }
    }

    // MARK: Bad input: exit 2, naming the path

    @Test func unsupportedLayerExitsTwoNamingThePath() throws {
        let text = try CLI.read(Self.fixture("transformer-encoder.json"))
        #expect(text.contains(#""use_gate": false"#))
        let path = try CLI.write(text.replacingOccurrences(of: #""use_gate": false"#, with: #""use_gate": true"#), name: "t.json")
        let result = CLI.run(["import", "keras", path, "--loss", "mse"])
        #expect(result.status == 2)
        #expect(result.standardError.contains(#"t.json: config.layers[6].config.use_gate: Keras MultiHeadAttention argument "use_gate" = true is not supported"#),
                "\(result.transcript)")
        #expect(result.standardOutput.isEmpty)

        let custom = try CLI.write(try CLI.read(Self.fixture("cnn.json"))
            .replacingOccurrences(of: #""class_name": "Flatten""#, with: #""class_name": "Conv3D""#), name: "c.json")
        let refused = CLI.run(["import", "keras", custom])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains(#"c.json: config.layers[5].class_name: Keras layer "Conv3D" is not supported"#),
                "\(refused.transcript)")
    }

    @Test func badArgumentsExitTwo() throws {
        #expect(CLI.run(["import", "torch", Self.fixture("mlp.json")]).status == 2)
        #expect(CLI.run(["import", "keras"]).status == 2)
        let badLoss = CLI.run(["import", "keras", Self.fixture("mlp.json"), "--loss", "hinge"])
        #expect(badLoss.status == 2)
        #expect(badLoss.standardError.contains(#"unknown loss "hinge""#), "\(badLoss.transcript)")
        let missing = CLI.run(["import", "keras", "/nonexistent/model.json"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent/model.json: file not found"))
        let notJSON = try CLI.write("{\"class_name\": ", name: "broken.json")
        #expect(CLI.run(["import", "keras", notJSON]).status == 2)
    }

    @Test func importIsListedInHelp() {
        #expect(CLI.run(["--help"]).standardOutput.contains("import"))
        let help = CLI.run(["import", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: gradcheck import keras MODEL"))
    }
}
