import Foundation
import Testing
@testable import GradCheckNN

/// The Keras importer on `to_json()` files written by real Keras 3 (`Fixtures/keras/`,
/// made by `Scripts/export/make_fixtures.py`), and on broken variants of them.
@Suite struct KerasImportTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Each fixture and the loss it was exported with (`nil`: the model's compile_config has it).
    static let fixtures: [(name: String, loss: LossSpec?)] = [
        ("mlp", nil),
        ("cnn", LossSpec(kind: .sparseCategoricalCrossentropy)),
        ("recurrent-stack", LossSpec(kind: .meanSquaredError)),
        ("tcn", LossSpec(kind: .meanSquaredError)),
        ("sequence-conv", LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)),
        ("transformer-encoder", LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)),
        ("cross-attention", LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)),
        ("bigru-tagger", LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)),
    ]

    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path(name))), as: UTF8.self)
    }

    /// Imports Keras JSON text; the error's description when it fails.
    static func importError(_ text: String, loss: LossSpec? = nil) -> String? {
        do {
            _ = try KerasImporter(loss: loss).translate(JSONParser.parse(text, file: "m.json"), file: "m.json")
            return nil
        } catch {
            return error.description
        }
    }

    /// `text` with `old` (which must occur) replaced by `new`.
    static func replacing(_ text: String, _ old: String, _ new: String,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(text.contains(old), "the fixture no longer holds \(old)", sourceLocation: sourceLocation)
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test(arguments: fixtures.map(\.name))
    func importGivesTheCommittedSpec(name: String) throws {
        let loss = Self.fixtures.first { $0.name == name }?.loss
        let result = try KerasImporter(loss: loss).translate(path: Self.path("\(name).json"))
        let expected = try JSONParser.parse(Self.text("\(name)/spec.json"))
        #expect(result.spec == expected, "\(result.fileContents)")
        #expect(result.hasLoss)
    }

    @Test func keepsKerasNamesAndWiring() throws {
        let result = try KerasImporter().translate(path: Self.path("transformer-encoder.json"))
        let layers = try #require(result.spec["layers"]?.arrayValue)
        #expect(layers.count == 20)
        let mha = try #require(layers.first { $0["name"] == "mha1" })
        #expect(mha["type"] == "multi_head_attention")
        #expect(mha["use_causal_mask"] == true)
        #expect(mha["inputs"] == nil, "self-attention on the previous layer needs no inputs")
        #expect(layers.first { $0["name"] == "res1a" }?["inputs"] == ["embed", "mha1"])
        #expect(result.spec["inputs"] == [["name": "tokens", "shape": [16], "dtype": "int"],
                                          ["name": "positions", "shape": [16], "dtype": "int"]])
        #expect(result.spec["loss"] == nil)
        #expect(!result.hasLoss)
        let cross = try KerasImporter().translate(path: Self.path("cross-attention.json"))
        let attention = try #require(cross.spec["layers"]?.arrayValue?.first { $0["name"] == "cross" })
        #expect(attention["inputs"] == ["query_embedding", "memory_values", "memory_keys"])
        #expect(attention["value_dim"] == 6)
    }

    @Test func compiledModelCarriesLossAndOptimizer() throws {
        let result = try KerasImporter().translate(path: Self.path("mlp.json"))
        #expect(result.spec["loss"] == ["type": "sparse_categorical_crossentropy", "from_logits": true])
        #expect(result.spec["training"]?["optimizer"]?["type"] == "adam")
        #expect(result.spec["training"]?["optimizer"]?["learning_rate"] == 0.003)
        #expect(result.spec["training"]?["optimizer"]?["clipnorm"] == 1)
        // --loss wins over the compile config.
        let overridden = try KerasImporter(loss: LossSpec(kind: .meanSquaredError)).translate(path: Self.path("mlp.json"))
        #expect(overridden.spec["loss"] == "mean_squared_error")
        // A sequential chain decodes with this build's decoder, loss and optimizer included.
        let spec = try ModelSpec.decode(result.spec)
        #expect(spec.layers.map(\.name) == ["hidden_1", "hidden_2", "logits"])
        #expect(spec.training?.optimizer?.learningRate == 0.003)
    }

    @Test func kerasArchivesStoredAndDeflatedReadTheSameConfig() throws {
        let json = try KerasImporter().translate(path: Self.path("mlp.json"))
        let stored = try KerasImporter().translate(path: Self.path("mlp.keras"))
        let deflated = try KerasImporter().translate(path: Self.path("mlp-deflated.keras"))
        #expect(stored.spec == json.spec)
        #expect(deflated.spec == json.spec)
    }

    @Test func damagedArchivesAreErrorsNamingTheFile() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path("mlp-deflated.keras"))))
        let archive = try ZipArchive(bytes: bytes, file: "a.keras")
        let entry = try #require(archive.entries.first { $0.name == "config.json" })
        // Flip a bit inside the compressed config.json.
        let start = entry.localHeaderOffset + 30 + Int(bytes[entry.localHeaderOffset + 26]) + Int(bytes[entry.localHeaderOffset + 28])
        bytes[start + entry.compressedSize / 2] ^= 0x10
        let damaged = try ZipArchive(bytes: bytes, file: "a.keras")
        #expect(throws: SpecError.self) { try damaged.contents(of: "config.json") }
        do {
            _ = try damaged.contents(of: "config.json")
        } catch {
            #expect(error.description.hasPrefix("a.keras: config.json "), "\(error)")
        }
        #expect(throws: SpecError.self) { try archive.contents(of: "missing.json") }
        #expect(throws: SpecError.self) { try ZipArchive(bytes: Array(bytes.prefix(100)), file: "a.keras") }
    }

    @Test func inflateDecodesFixedAndStoredBlocks() throws {
        // zlib.compressobj(9, zlib.DEFLATED, -15) of "hello hello hello hello\n": one fixed-Huffman block.
        let fixed: [UInt8] = [0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0xC8, 0x40, 0x27, 0xB9, 0x00]
        #expect(try Inflate.decode(fixed, expectedSize: 24) == Array("hello hello hello hello\n".utf8))
        // A final stored block holding "abc".
        let stored: [UInt8] = [0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63]
        #expect(try Inflate.decode(stored, expectedSize: 3) == Array("abc".utf8))
        #expect(throws: Inflate.Failure.self) { try Inflate.decode([0x01, 0x03, 0x00, 0xFD, 0xFF, 0x61], expectedSize: 3) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decode(Array(fixed.prefix(5)), expectedSize: 24) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decode(fixed, expectedSize: 10) }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    // MARK: What cannot be translated is refused, with its path

    @Test func unsupportedLayerNamesItsClass() throws {
        let text = try Self.replacing(try Self.text("cnn.json"), #""class_name": "Flatten""#, #""class_name": "Conv3D""#)
        let message = try #require(Self.importError(text))
        #expect(message.hasPrefix(#"m.json: config.layers[5].class_name: Keras layer "Conv3D" is not supported"#), "\(message)")
    }

    @Test func argumentThatChangesTheMeaningIsRefused() throws {
        let mha = try Self.replacing(try Self.text("transformer-encoder.json"), #""use_gate": false"#, #""use_gate": true"#)
        #expect(Self.importError(mha)?.hasPrefix(#"m.json: config.layers[6].config.use_gate: Keras MultiHeadAttention argument "use_gate" = true is not supported"#) == true,
                "\(Self.importError(mha) ?? "")")
        let dilated = try Self.replacing(try Self.text("cnn.json"), "\"dilation_rate\": [\n      1,", "\"dilation_rate\": [\n      2,")
        #expect(Self.importError(dilated)?.hasPrefix("m.json: config.layers[1].config.dilation_rate:") == true, "\(Self.importError(dilated) ?? "")")
        let masked = try Self.replacing(try Self.text("transformer-encoder.json"), #""mask_zero": false"#, #""mask_zero": true"#)
        #expect(Self.importError(masked)?.contains("config.mask_zero: Keras Embedding argument \"mask_zero\" = true is not supported") == true)
        let frozen = try Self.replacing(try Self.text("mlp.json"), #""name": "hidden_2","# + "\n     " + #""trainable": true"#,
                                        #""name": "hidden_2","# + "\n     " + #""trainable": false"#)
        #expect(Self.importError(frozen)?.contains("config.layers[2].config.trainable:") == true, "\(Self.importError(frozen) ?? "")")
        let constrained = try Self.replacing(try Self.text("mlp.json"), #""kernel_constraint": null"#,
                                             #""kernel_constraint": {"class_name": "NonNeg", "config": {}}"#)
        #expect(Self.importError(constrained)?.contains("config.layers[1].config.kernel_constraint:") == true)
    }

    @Test func unknownArgumentIsNotDropped() throws {
        let text = try Self.replacing(try Self.text("mlp.json"), #""units": 3,"#, #""units": 3, "tied_to": "hidden_1","#)
        #expect(Self.importError(text) == #"m.json: config.layers[3].config.tied_to: Keras Dense argument "tied_to" is not known to the importer, so it cannot be translated"#,
                "\(Self.importError(text) ?? "")")
    }

    @Test func callArgumentsAreTranslatedOrRefused() throws {
        let base = try Self.text("transformer-encoder.json")
        let uncausal = try Self.replacing(base, #""use_causal_mask": true"#, #""use_causal_mask": false"#)
        let result = try KerasImporter().translate(JSONParser.parse(uncausal))
        #expect(result.spec["layers"]?.arrayValue?.first { $0["name"] == "mha1" }?["use_causal_mask"] == nil)
        let scores = try Self.replacing(base, #""use_causal_mask": true"#, #""use_causal_mask": true, "return_attention_scores": true"#)
        #expect(Self.importError(scores)?.contains("inbound_nodes[0].kwargs.return_attention_scores:") == true, "\(Self.importError(scores) ?? "")")
        let masked = try Self.replacing(base, #""use_causal_mask": true"#, #""use_causal_mask": true, "attention_mask": [[1]]"#)
        #expect(Self.importError(masked)?.contains("inbound_nodes[0].kwargs.attention_mask:") == true)
        let training = try Self.replacing(base, #""use_causal_mask": true"#, #""use_causal_mask": true, "training": true"#)
        #expect(Self.importError(training)?.contains("inbound_nodes[0].kwargs.training:") == true)
    }

    @Test func sharedLayersAndSecondOutputsAreRefused() throws {
        let base = try Self.text("transformer-encoder.json")
        let shared = try Self.replacing(base, #""keras_history": ["# + "\n          " + #""ln1a","# + "\n          0",
                                        #""keras_history": ["# + "\n          " + #""ln1a","# + "\n          1")
        #expect(Self.importError(shared)?.contains(#"layer "ln1a" is called more than once (a shared layer)"#) == true,
                "\(Self.importError(shared) ?? "")")
    }

    @Test func modelsThatAreNotSequentialOrFunctionalAreRefused() throws {
        #expect(Self.importError(#"{"class_name": "MyModel", "config": {}}"#)?.hasPrefix(#"m.json: class_name: a Keras "MyModel" is not a Sequential or Functional model"#) == true)
        #expect(Self.importError(#"{"format": "gradcheck.model/1", "name": "m"}"#)
            == "m.json: format: this is a gradcheck.model/1 spec already, not a Keras model")
        #expect(Self.importError("[1]") == "m.json: expected an object, got [1]")
    }

    @Test func inputsNeedFixedShapes() throws {
        let text = try Self.replacing(try Self.text("cnn.json"), "\"batch_shape\": [\n      null,\n      8,", "\"batch_shape\": [\n      null,\n      null,")
        #expect(Self.importError(text)?.hasPrefix("m.json: config.layers[0].config.batch_shape[1]: axis 1 of the input is null") == true,
                "\(Self.importError(text) ?? "")")
    }

    @Test func lossesAndOptimizersOfCompileConfig() throws {
        let base = try Self.text("mlp.json")
        let kl = try Self.replacing(base, #""class_name": "SparseCategoricalCrossentropy""#, #""class_name": "KLDivergence""#)
        #expect(Self.importError(kl)?.hasPrefix(#"m.json: compile_config.loss.class_name: Keras loss "KLDivergence" is not supported"#) == true)
        #expect(Self.importError(kl, loss: LossSpec(kind: .meanSquaredError)) != nil, "an unsupported compiled loss is refused even with --loss")
        let ema = try Self.replacing(base, #""use_ema": false"#, #""use_ema": true"#)
        #expect(Self.importError(ema)?.hasPrefix("m.json: compile_config.optimizer.config.use_ema:") == true)
        let ignored = try Self.replacing(base, #""ignore_class": null"#, #""ignore_class": 0"#)
        #expect(Self.importError(ignored)?.hasPrefix("m.json: compile_config.loss.config.ignore_class:") == true)
    }

    @Test func lossArgumentTakesKerasAndFormatNames() throws {
        #expect(try KerasImporter.loss(argument: "mse") == LossSpec(kind: .meanSquaredError))
        #expect(try KerasImporter.loss(argument: "huber") == LossSpec(kind: .huber()))
        #expect(try KerasImporter.loss(argument: #"{"type": "categorical_crossentropy", "from_logits": true}"#)
            == LossSpec(kind: .categoricalCrossentropy, fromLogits: true))
        #expect(throws: SpecError.self) { try KerasImporter.loss(argument: "hinge") }
    }

    @Test func kerasValuesTranslate() throws {
        func initializer(_ json: String, _ fallback: InitializerSpec = .glorotUniform) throws -> JSONValue? {
            try KerasValues.initializer(JSONParser.parse(json), fallback: fallback, path: "i", file: nil)
        }
        #expect(try initializer(#"{"class_name": "GlorotUniform", "config": {"seed": 3}}"#) == nil)
        #expect(try initializer(#"{"class_name": "HeNormal", "config": {"seed": null}}"#) == "he_normal")
        #expect(try initializer(#"{"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}}"#) == "he_uniform")
        #expect(try initializer(#"{"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.1, "seed": null}}"#)
            == ["type": "random_normal", "mean": 0, "stddev": 0.1])
        #expect(throws: SpecError.self) { try initializer(#"{"class_name": "VarianceScaling", "config": {"scale": 3.0}}"#) }
        #expect(throws: SpecError.self) { try initializer(#"{"class_name": "Identity", "config": {}}"#) }
        #expect(try KerasValues.regularizer(JSONParser.parse(#"{"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.02}}"#), path: "r", file: nil)
            == ["l2": 0.02])
        #expect(try KerasValues.activation("silu", path: "a", file: nil) == "swish")
        #expect(throws: SpecError.self) { try KerasValues.activation("relu6", path: "a", file: nil) }
    }
}
