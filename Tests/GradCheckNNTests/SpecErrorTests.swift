import Foundation
import Testing
@testable import GradCheckNN

/// A minimal valid spec with `layers` and extra top-level members spliced in.
private func spec(layers: String = #"{"type": "dense", "units": 2}"#, loss: String = #""mean_squared_error""#,
                  extra: String = "") -> String {
    #"{"name": "m", "input_shape": [4], "layers": ["# + layers + #"], "loss": "# + loss + extra + "}"
}

private func training(_ body: String) -> String {
    spec(extra: #", "training": "# + body)
}

@Test func errorDescriptionFormat() {
    #expect(SpecError(file: "model.json", path: "layers[2].units", message: "bad").description == "model.json: layers[2].units: bad")
    #expect(SpecError(file: "model.json", path: "", message: "bad").description == "model.json: bad")
    #expect(SpecError(file: nil, path: "a", message: "bad").description == "a: bad")
    #expect(SpecError(message: "bad").inFile("f").description == "f: bad")
}

@Test func typeErrorsNameThePathAndTheValue() {
    let e = SpecTestSupport.modelError
    let three = #"{"type": "dense", "units": 2}, {"type": "dense", "units": 2}, "#
    #expect(e(spec(layers: three + #"{"type": "dense", "units": -3}"#))
        == "model.json: layers[2].units: expected a positive integer, got -3")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2.5}"#)) == "model.json: layers[0].units: expected a positive integer, got 2.5")
    #expect(e(spec(layers: #"{"type": "dense", "units": "8"}"#)) == #"model.json: layers[0].units: expected a positive integer, got "8""#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "activation": {"type": "leaky_relu", "alpha": "abc"}}"#))
        == #"model.json: layers[0].activation.alpha: expected a number, got "abc""#)
    #expect(e(spec(layers: "[1, 2]")) == "model.json: layers[0]: expected an object, got [1, 2]")
    #expect(e(#"{"name": "m", "input_shape": [4], "layers": {}, "loss": "huber"}"#) == "model.json: layers: expected an array, got {}")
    #expect(e("[]") == "model.json: expected an object, got []")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "use_bias": 1}"#)) == "model.json: layers[0].use_bias: expected true or false, got 1")
    #expect(e(#"{"name": 3, "input_shape": [4], "layers": [], "loss": "huber"}"#) == "model.json: name: expected a string, got 3")
    #expect(e(#"{"name": "", "input_shape": [4], "layers": [], "loss": "huber"}"#) == "model.json: name: expected a non-empty string")
    #expect(e(#"{"name": "m", "input_shape": [], "layers": [], "loss": "huber"}"#)
        == "model.json: input_shape: expected a non-empty array of positive integers, got []")
    #expect(e(#"{"name": "m", "input_shape": [4, 0], "layers": [], "loss": "huber"}"#)
        == "model.json: input_shape[1]: expected a positive integer, got 0")
    #expect(e(#"{"name": "m", "input_shape": [4], "layers": [], "loss": "huber"}"#) == "model.json: layers: a model needs at least one layer")
    #expect(e(#"{"name": "m", "input_shape": [4], "layers": [{"type": "flatten"}]}"#) == #"model.json: missing required key "loss""#)
    #expect(e(spec(layers: #"{"type": "dense"}"#)) == #"model.json: layers[0]: missing required key "units""#)
    #expect(e(spec(layers: #"{"units": 3}"#)) == #"model.json: layers[0]: missing required key "type""#)
    #expect(e(spec(layers: #"{"type": "dense", "units": null}"#)) == "model.json: layers[0].units: expected a positive integer, got null")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "kernel_regularizer": null, "name": null}"#)) == nil)
    #expect(e(spec(extra: #", "training": null, "format": null"#)) == nil)
    #expect(e(spec(extra: #", "format": "gradcheck.model/2""#))
        == #"model.json: format: expected "gradcheck.model/1", got "gradcheck.model/2""#)
    #expect(e(spec(layers: #"{"type": "dropout", "rate": 1}"#)) == "model.json: layers[0].rate: expected a number in [0, 1), got 1")
    #expect(e(spec(layers: #"{"type": "reshape", "target_shape": [-1, 2, -1]}"#))
        == "model.json: layers[0].target_shape[2]: only one axis may be -1 (layers[0].target_shape[0] is already)")
    #expect(e(spec(layers: #"{"type": "reshape", "target_shape": [0]}"#))
        == "model.json: layers[0].target_shape[0]: expected a positive integer or -1, got 0")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "kernel_regularizer": {"l2": -1}}"#))
        == "model.json: layers[0].kernel_regularizer.l2: expected a non-negative number, got -1")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "kernel_regularizer": {}}"#))
        == #"model.json: layers[0].kernel_regularizer: a regularizer needs "l1", "l2" or both"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "kernel_initializer": {"type": "random_uniform", "minval": 1, "maxval": 0}}"#))
        == "model.json: layers[0].kernel_initializer.maxval: maxval 0 is below minval 1")
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "name": "a/b"}"#))
        == #"model.json: layers[0].name: a layer name cannot contain "/" (parameter names are <layer>/<param>)"#)
}

@Test func unknownKeysAndNamesSuggestTheRightOne() {
    let e = SpecTestSupport.modelError
    let three = #"{"type": "dense", "units": 2}, {"type": "dense", "units": 2}, "#
    #expect(e(spec(layers: three + #"{"type": "dense", "unit": 3}"#))
        == #"model.json: layers[2].unit: unknown key; did you mean "units"?"#)
    #expect(e(spec(extra: #", "trainig": {}"#)) == #"model.json: trainig: unknown key; did you mean "training"?"#)
    #expect(e(spec(extra: #", "zzz": {}"#)) == "model.json: zzz: unknown key")
    #expect(e(spec(layers: #"{"type": "dens", "units": 3}"#))
        == #"model.json: layers[0].type: unknown layer type "dens"; did you mean "dense"?"#)
    #expect(e(spec(layers: #"{"type": "Dense", "units": 3}"#))
        == #"model.json: layers[0].type: unknown layer type "Dense"; did you mean "dense"?"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 3, "activation": "rellu"}"#))
        == #"model.json: layers[0].activation: unknown activation "rellu"; did you mean "relu"?"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 3, "activation": {"type": "leakyrelu"}}"#))
        == #"model.json: layers[0].activation.type: unknown activation "leakyrelu"; did you mean "leaky_relu"?"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 3, "activation": {"type": "relu", "alpha": 1}}"#))
        == #"model.json: layers[0].activation.alpha: activation "relu" has no parameter "alpha""#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 3, "kernel_initializer": "he_normall"}"#))
        == #"model.json: layers[0].kernel_initializer: unknown initializer "he_normall"; did you mean "he_normal"?"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 3, "kernel_initializer": {"type": "he_normal", "stddev": 1}}"#))
        == #"model.json: layers[0].kernel_initializer.stddev: initializer "he_normal" has no parameter "stddev""#)
    #expect(e(spec(loss: #""mse""#)) == #"model.json: loss: unknown loss "mse"; did you mean "mean_squared_error"?"#)
    #expect(e(spec(loss: #""binary_crossentropi""#))
        == #"model.json: loss: unknown loss "binary_crossentropi"; did you mean "binary_crossentropy"?"#)
    #expect(e(spec(loss: #"{"type": "mean_squared_error", "from_logits": true}"#))
        == #"model.json: loss.from_logits: loss "mean_squared_error" has no parameter "from_logits""#)
    #expect(e(spec(loss: #"{"type": "huber", "delta": 0}"#)) == "model.json: loss.delta: expected a positive number, got 0")
    #expect(e(spec(layers: #"{"type": "dropout", "rate": 0.1, "units": 3}"#))
        == #"model.json: layers[0].units: a "dropout" layer has no key "units""#)
    #expect(e(training(#"{"optimizer": {"type": "adma"}}"#))
        == #"model.json: training.optimizer.type: unknown optimizer type "adma"; did you mean "adam"?"#)
    #expect(e(training(#"{"optimizer": {"type": "adam", "momentum": 0.9}}"#))
        == #"model.json: training.optimizer.momentum: "momentum" does not apply to optimizer type "adam""#)
    #expect(e(training(#"{"optimizer": {"type": "adam", "learning_rat": 0.1}}"#))
        == #"model.json: training.optimizer.learning_rat: unknown key; did you mean "learning_rate"?"#)
    #expect(e(training(#"{"optimizer": {"type": "sgd", "weight_decay": 0.1}}"#))
        == #"model.json: training.optimizer.weight_decay: "weight_decay" does not apply to optimizer type "sgd""#)
    #expect(e(training(#"{"clipping": {"type": "global_norm"}}"#))
        == #"model.json: training.clipping: missing required key "max_norm""#)
    #expect(e(training(#"{"clipping": "norm"}"#))
        == #"model.json: training.clipping: clipping type "norm" needs "max_norm"; write {"type": "norm", "max_norm": ...}"#)
    #expect(e(training(#"{"clipping": {"type": "clipnorm", "max_norm": 1}}"#))
        == #"model.json: training.clipping.type: unknown clipping type "clipnorm"; did you mean "norm"?"#)
    #expect(e(training(#"{"clipping": {"type": "norm", "max_norm": 1, "percentile": 5}}"#))
        == #"model.json: training.clipping.percentile: clipping type "norm" has no parameter "percentile""#)
    #expect(e(training(#"{"clipping": {"type": "autoclip", "percentile": 0}}"#))
        == "model.json: training.clipping.percentile: expected a number in (0, 100], got 0")
    #expect(e(training(#"{"early_stopping": {"monitor": "val_los"}}"#))
        == #"model.json: training.early_stopping.monitor: unknown monitor "val_los"; did you mean "val_loss"?"#)
    #expect(e(training(#"{"epochs": 0}"#)) == "model.json: training.epochs: expected a positive integer, got 0")
    #expect(e(training(#"{"seed": -1}"#)) == "model.json: training.seed: expected a non-negative integer, got -1")
    #expect(e(training(#"{"validation_split": 1}"#)) == "model.json: training.validation_split: expected a number in [0, 1), got 1")
}

@Test func everyFormatLayerTypeDecodes() {
    // Every layer type of FORMATS.md §1 is decoded; none is rejected as unsupported.
    #expect(LayerKind.unsupportedTypeNames.isEmpty)
    #expect(Set(LayerKind.supportedTypeNames) == [
        "dense", "activation", "dropout", "flatten", "reshape", "batch_normalization", "layer_normalization", "conv2d",
        "max_pooling2d", "average_pooling2d", "global_average_pooling2d", "embedding", "simple_rnn", "lstm", "gru", "residual",
        "conv1d", "max_pooling1d", "average_pooling1d", "global_average_pooling1d", "global_max_pooling1d",
        "global_max_pooling2d", "rms_normalization", "group_normalization", "bidirectional", "multi_head_attention",
        "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
        // the data-augmentation layers
        "random_flip", "random_translation", "random_rotation", "random_zoom", "random_crop", "random_contrast",
        "gaussian_noise", "feature_dropout",
    ])
    let e = SpecTestSupport.modelError
    #expect(e(spec(layers: #"{"type": "dense", "units": 2}, {"type": "conv2d", "filters": 3}"#))
        == #"model.json: layers[1]: missing required key "kernel_size""#)
}

@Test func clippingConflictsNameBothPaths() {
    let e = SpecTestSupport.modelError
    #expect(e(training(#"{"optimizer": {"type": "adam", "clipnorm": 1, "clipvalue": 0.5}}"#))
        == "model.json: training.optimizer.clipvalue: cannot be combined with training.optimizer.clipnorm; give one clipping only")
    #expect(e(training(#"{"optimizer": {"type": "adam", "global_clipnorm": 1}, "clipping": {"type": "none"}}"#))
        == "model.json: training.clipping: cannot be combined with training.optimizer.global_clipnorm; give one clipping only")
    #expect(e(training(#"{"optimizer": {"type": "adam", "clipnorm": 0}}"#))
        == "model.json: training.optimizer.clipnorm: expected a positive number, got 0")
}

@Test func duplicateLayerNamesNameBothLayers() {
    let e = SpecTestSupport.modelError
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "name": "a"}, {"type": "dense", "units": 2, "name": "a"}"#))
        == #"model.json: layers[1].name: the name "a" is already used by layers[0]; layer names must be unique"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 2}, {"type": "dense", "units": 2, "name": "dense_1"}"#))
        == #"model.json: layers[1].name: the name "dense_1" is already used by layers[0] (its default name); layer names must be unique"#)
    #expect(e(spec(layers: #"{"type": "dense", "units": 2, "name": "dense_2"}, {"type": "dense", "units": 2}"#))
        == #"model.json: layers[1]: the default name "dense_2" is already used by layers[0]; layer names must be unique"#)
}

@Test func didYouMeanFindsCloseWords() {
    #expect(DidYouMean.suggestion(for: "unit", among: ["units", "activation"]) == "units")
    #expect(DidYouMean.suggestion(for: "actvation", among: ["units", "activation"]) == "activation")
    #expect(DidYouMean.suggestion(for: "untis", among: ["units", "activation"]) == "units")
    #expect(DidYouMean.suggestion(for: "kernel", among: ["units", "kernel_initializer"]) == "kernel_initializer")
    #expect(DidYouMean.suggestion(for: "batch-size", among: ["batch_size", "epochs"]) == "batch_size")
    #expect(DidYouMean.suggestion(for: "xyz", among: ["units", "activation"]) == nil)
    #expect(DidYouMean.suggestion(for: "ab", among: ["cd"]) == nil)
    #expect(DidYouMean.distance("ca", "ac") == 1)
    #expect(DidYouMean.distance("kitten", "sitting") == 3)
    #expect(DidYouMean.distance("", "abc") == 3)
    #expect(DidYouMean.hint(for: "unit", among: ["units"]) == #"; did you mean "units"?"#)
    #expect(DidYouMean.hint(for: "zzz", among: ["units"]) == "")
}

@Test func loadReportsFileProblems() {
    let dir = SpecTestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("nope.json").path
    #expect(SpecTestSupport.error { () throws(SpecError) in try ModelSpec.load(path: missing) }?.description == "\(missing): file not found")
    #expect(SpecTestSupport.error { () throws(SpecError) in try ModelSpec.load(path: dir.path) }?.description
        == "\(dir.path): is a directory, not a file")
    let bad = dir.appendingPathComponent("bad.json")
    try? Data("{\"name\": }".utf8).write(to: bad)
    #expect(SpecTestSupport.error { () throws(SpecError) in try ModelSpec.load(path: bad.path) }?.description
        == "\(bad.path): invalid JSON at line 1, column 10: unexpected '}'; expected a value")
}

@Test func specWriteAndLoadRoundTrip() throws {
    let dir = SpecTestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = try ModelSpec.decode(json: formatsExampleForWrite)
    let path = dir.appendingPathComponent("model.json").path
    try spec.write(to: path)
    #expect(try ModelSpec.load(path: path) == spec)
}

private let formatsExampleForWrite = """
{"name": "w", "input_shape": [3], "layers": [{"type": "dense", "units": 2, "activation": "softmax"}],
 "loss": {"type": "categorical_crossentropy", "from_logits": false},
 "training": {"optimizer": "adamw", "clipping": {"type": "zclip", "alpha": 0.5}}}
"""
