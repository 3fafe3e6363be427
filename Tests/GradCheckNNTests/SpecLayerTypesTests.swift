import Foundation
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// A minimal spec around `layers`, with an input shape and loss.
private func spec(_ layers: String, input: String = "[6, 6, 2]", loss: String = #""mean_squared_error""#) -> String {
    #"{"name": "m", "input_shape": "# + input + #", "layers": ["# + layers + #"], "loss": "# + loss + "}"
}

private func decode(_ layers: String, input: String = "[6, 6, 2]") throws -> ModelSpec {
    try ModelSpec.decode(json: spec(layers, input: input), file: "model.json")
}

/// The description of the error building a model (decoding must succeed).
private func buildError(_ layers: String, input: String = "[6, 6, 2]") throws -> String? {
    let s = try decode(layers, input: input)
    do {
        _ = try Model(spec: s, file: "model.json")
        return nil
    } catch {
        return error.description
    }
}

@Suite struct SpecLayerTypesTests {
    @Test func everyTypeDecodesWithKerasDefaults() throws {
        let s = try decode("""
            {"type": "conv2d", "filters": 4, "kernel_size": 3},
            {"type": "max_pooling2d"}, {"type": "average_pooling2d", "pool_size": [2, 1]},
            {"type": "global_average_pooling2d"},
            {"type": "batch_normalization"}, {"type": "layer_normalization"},
            {"type": "simple_rnn", "units": 3}, {"type": "lstm", "units": 3}, {"type": "gru", "units": 3},
            {"type": "residual", "layers": [{"type": "dense", "units": 2}]}
            """)
        #expect(s.layers.map(\.name) == ["conv2d_1", "max_pooling2d_1", "average_pooling2d_1", "global_average_pooling2d_1",
                                         "batch_normalization_1", "layer_normalization_1", "simple_rnn_1", "lstm_1", "gru_1",
                                         "residual_1"])
        #expect(s.layers[0].kind == .conv2D(Conv2DSpec(filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: .valid,
                                                        activation: .linear, useBias: true, kernelInitializer: .glorotUniform,
                                                        biasInitializer: .zeros)))
        #expect(s.layers[1].kind == .maxPooling2D(Pooling2DSpec(poolSize: [2, 2], strides: [2, 2], padding: .valid)))
        #expect(s.layers[2].kind == .averagePooling2D(Pooling2DSpec(poolSize: [2, 1], strides: [2, 1])))
        #expect(s.layers[3].kind == .globalAveragePooling2D)
        guard case let .batchNormalization(bn) = s.layers[4].kind else { Issue.record("not bn"); return }
        #expect(bn == BatchNormalizationSpec(momentum: 0.99, epsilon: 1e-3, center: true, scale: true, betaInitializer: .zeros,
                                             gammaInitializer: .ones, movingMeanInitializer: .zeros, movingVarianceInitializer: .ones))
        #expect(s.layers[5].kind == .layerNormalization(LayerNormalizationSpec(epsilon: 1e-3)))
        guard case let .lstm(lstm) = s.layers[7].kind else { Issue.record("not lstm"); return }
        #expect(lstm.activation == .tanh)
        #expect(lstm.recurrentActivation == .sigmoid)
        #expect(lstm.unitForgetBias)
        #expect(!lstm.returnSequences)
        #expect(lstm.kernelInitializer == .glorotUniform)
        #expect(lstm.recurrentInitializer == .orthogonal(gain: 1))
        #expect(lstm.biasInitializer == .zeros)
        guard case let .gru(gru) = s.layers[8].kind else { Issue.record("not gru"); return }
        #expect(gru.resetAfter)
        #expect(s.layers[6].kind == .simpleRNN(RecurrentSpec(units: 3)))
        let e = try decode(#"{"type": "embedding", "input_dim": 10, "output_dim": 4}"#, input: "[5]")
        #expect(e.layers[0].kind == .embedding(EmbeddingSpec(inputDim: 10, outputDim: 4,
                                                             embeddingsInitializer: .randomUniform(minval: -0.05, maxval: 0.05))))
    }

    @Test func everyOptionRoundTrips() throws {
        let s = try decode("""
            {"type": "conv2d", "name": "c", "filters": 2, "kernel_size": [3, 2], "strides": [2, 1], "padding": "same",
             "activation": "relu", "use_bias": false, "kernel_initializer": "he_normal", "bias_initializer": "ones",
             "kernel_regularizer": {"l2": 0.1}, "bias_regularizer": {"l1": 0.2}, "activity_regularizer": {"l1": 0.3}},
            {"type": "max_pooling2d", "pool_size": 3, "strides": [1, 2], "padding": "same"},
            {"type": "average_pooling2d", "pool_size": [1, 2], "strides": 1},
            {"type": "batch_normalization", "momentum": 0.9, "epsilon": 0.01, "center": false, "scale": false,
             "beta_initializer": "ones", "gamma_initializer": "zeros", "moving_mean_initializer": {"type": "constant", "value": 2},
             "moving_variance_initializer": "zeros", "beta_regularizer": {"l2": 1}, "gamma_regularizer": {"l1": 1}},
            {"type": "layer_normalization", "epsilon": 1e-5, "center": false, "gamma_initializer": "he_uniform",
             "beta_regularizer": {"l2": 0.5}},
            {"type": "residual", "name": "block", "layers": [{"type": "dense", "units": 3},
                                                             {"type": "residual", "layers": [{"type": "dense", "units": 3}]}]},
            {"type": "flatten"},
            {"type": "reshape", "target_shape": [-1, 4]},
            {"type": "lstm", "units": 3, "activation": "relu", "recurrent_activation": "hard_sigmoid", "use_bias": false,
             "return_sequences": true, "kernel_initializer": "lecun_normal", "recurrent_initializer": {"type": "orthogonal", "gain": 2},
             "bias_initializer": "ones", "unit_forget_bias": false, "kernel_regularizer": {"l2": 1},
             "recurrent_regularizer": {"l1": 2}, "bias_regularizer": {"l2": 3}, "activity_regularizer": {"l1": 4}},
            {"type": "gru", "units": 2, "reset_after": true, "return_sequences": true},
            {"type": "simple_rnn", "units": 2, "activation": "sigmoid"}
            """)
        #expect(try ModelSpec.decode(s.jsonValue) == s)
        #expect(try ModelSpec.decode(json: JSONWriter.pretty.string(for: s.jsonValue)) == s)
        guard case let .lstm(l) = s.layers[8].kind else { Issue.record("not lstm"); return }
        #expect(l.recurrentInitializer == .orthogonal(gain: 2))
        #expect(!l.unitForgetBias)
        #expect(l.recurrentActivation == .hardSigmoid)
        guard case let .residual(block) = s.layers[5].kind else { Issue.record("not residual"); return }
        // The named block counts as residual 1 (names count every layer of the type, named or not).
        #expect(block.layers.map(\.name) == ["dense_1", "residual_2"])
        #expect(block.layers.map(\.path) == ["layers[5].layers[0]", "layers[5].layers[1]"])
        guard case let .residual(inner) = block.layers[1].kind else { Issue.record("not residual"); return }
        #expect(inner.layers.map(\.name) == ["dense_2"])
        #expect(inner.layers[0].path == "layers[5].layers[1].layers[0]")
        #expect(s.layer(named: "dense_2")?.path == "layers[5].layers[1].layers[0]")
        // Integers where a pair is equal are written as one integer, and read back as a pair.
        let o = s.layers[1].jsonValue
        #expect(o["pool_size"] == .integer(3))
        #expect(o["strides"] == .integers([1, 2]))
    }

    @Test func residualInnerLayersAreCountedInModelOrder() throws {
        let s = try decode("""
            {"type": "dense", "units": 2}, {"type": "residual", "layers": [{"type": "dense", "units": 2},
                                                                          {"type": "dropout", "rate": 0.1}]},
            {"type": "dense", "units": 2}, {"type": "residual", "layers": [{"type": "dense", "units": 2}]}
            """, input: "[2]")
        #expect(s.layers.map(\.name) == ["dense_1", "residual_1", "dense_3", "residual_2"])
        guard case let .residual(a) = s.layers[1].kind, case let .residual(b) = s.layers[3].kind else {
            Issue.record("not residual"); return
        }
        #expect(a.layers.map(\.name) == ["dense_2", "dropout_1"])
        #expect(b.layers.map(\.name) == ["dense_4"])
        // Names are unique across nesting levels.
        #expect(SpecTestSupport.modelError(spec("""
            {"type": "dense", "units": 2, "name": "x"}, {"type": "residual", "layers": [{"type": "dense", "units": 2, "name": "x"}]}
            """)) == #"model.json: layers[1].layers[0].name: the name "x" is already used by layers[0]; layer names must be unique"#)
        #expect(SpecTestSupport.modelError(spec("""
            {"type": "residual", "layers": [{"type": "dense", "units": 2}]}, {"type": "dense", "units": 2, "name": "dense_1"}
            """)) == #"model.json: layers[1].name: the name "dense_1" is already used by layers[0].layers[0] (its default name); layer names must be unique"#)
    }

    @Test func errorsNameThePathAndSuggest() {
        let e = SpecTestSupport.modelError
        #expect(e(spec(#"{"type": "conv2d", "filter": 3, "kernel_size": 3}"#))
            == #"model.json: layers[0].filter: unknown key; did you mean "filters"?"#)
        #expect(e(spec(#"{"type": "conv2d", "filters": 3}"#)) == #"model.json: layers[0]: missing required key "kernel_size""#)
        #expect(e(spec(#"{"type": "conv2d", "filters": 3, "kernel_size": [3, 0]}"#))
            == "model.json: layers[0].kernel_size[1]: expected a positive integer, got 0")
        #expect(e(spec(#"{"type": "conv2d", "filters": 3, "kernel_size": [3, 3, 3]}"#))
            == "model.json: layers[0].kernel_size: expected a positive integer or a pair of them, got [3, 3, 3]")
        #expect(e(spec(#"{"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "Same"}"#))
            == #"model.json: layers[0].padding: unknown padding "Same"; did you mean "same"?"#)
        #expect(e(spec(#"{"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": 1}"#))
            == #"model.json: layers[0].padding: expected "valid" or "same", got 1"#)
        #expect(e(spec(#"{"type": "conv2d", "filters": 3, "kernel_size": 3, "units": 3}"#))
            == #"model.json: layers[0].units: a "conv2d" layer has no key "units""#)
        #expect(e(spec(#"{"type": "max_pooling2d", "poolsize": 2}"#))
            == #"model.json: layers[0].poolsize: unknown key; did you mean "pool_size"?"#)
        #expect(e(spec(#"{"type": "max_pooling2d", "strides": 0}"#))
            == "model.json: layers[0].strides: expected a positive integer or a pair of them, got 0")
        #expect(e(spec(#"{"type": "global_average_pooling2d", "pool_size": 2}"#))
            == #"model.json: layers[0].pool_size: a "global_average_pooling2d" layer has no key "pool_size""#)
        #expect(e(spec(#"{"type": "batch_normalization", "momentum": 1.5}"#))
            == "model.json: layers[0].momentum: expected a number in [0, 1], got 1.5")
        #expect(e(spec(#"{"type": "batch_normalization", "epsilon": 0}"#))
            == "model.json: layers[0].epsilon: expected a positive number, got 0")
        #expect(e(spec(#"{"type": "layer_normalization", "momentum": 0.9}"#))
            == #"model.json: layers[0].momentum: a "layer_normalization" layer has no key "momentum""#)
        #expect(e(spec(#"{"type": "embedding", "input_dim": 3}"#)) == #"model.json: layers[0]: missing required key "output_dim""#)
        #expect(e(spec(#"{"type": "embedding", "input_dim": 3, "output_dims": 2}"#))
            == #"model.json: layers[0].output_dims: unknown key; did you mean "output_dim"?"#)
        #expect(e(spec(#"{"type": "gru", "units": 3, "reset_after": false}"#))
            == "model.json: layers[0].reset_after: reset_after false (the Keras 2 GRU, reset gate before the recurrent product) is not supported; only reset_after true, the Keras 3 default, is")
        #expect(e(spec(#"{"type": "lstm", "units": 3, "reset_after": true}"#))
            == #"model.json: layers[0].reset_after: a "lstm" layer has no key "reset_after""#)
        #expect(e(spec(#"{"type": "simple_rnn", "units": 3, "recurrent_activation": "sigmoid"}"#))
            == #"model.json: layers[0].recurrent_activation: a "simple_rnn" layer has no key "recurrent_activation""#)
        #expect(e(spec(#"{"type": "lstm", "units": 3, "return_sequence": true}"#))
            == #"model.json: layers[0].return_sequence: unknown key; did you mean "return_sequences"?"#)
        #expect(e(spec(#"{"type": "lstm", "units": 3, "recurrent_initializer": {"type": "orthogonal", "stddev": 1}}"#))
            == #"model.json: layers[0].recurrent_initializer.stddev: initializer "orthogonal" has no parameter "stddev""#)
        #expect(e(spec(#"{"type": "residual", "layers": []}"#)) == "model.json: layers[0].layers: a residual block needs at least one layer")
        #expect(e(spec(#"{"type": "residual", "layers": [{"type": "dense", "unit": 2}]}"#))
            == #"model.json: layers[0].layers[0].unit: unknown key; did you mean "units"?"#)
        #expect(e(spec(#"{"type": "residual", "layers": [{"type": "dense", "units": 2, "name": "a/b"}]}"#))
            == #"model.json: layers[0].layers[0].name: a layer name cannot contain "/" (parameter names are <layer>/<param>)"#)
        #expect(e(spec(#"{"type": "maxpooling2d"}"#))
            == #"model.json: layers[0].type: unknown layer type "maxpooling2d"; did you mean "max_pooling2d"?"#)
        #expect(e(spec(#"{"type": "Conv2D", "filters": 1, "kernel_size": 1}"#))
            == #"model.json: layers[0].type: unknown layer type "Conv2D"; did you mean "conv2d"?"#)
    }

    @Test func shapeErrorsNameTheLayerItsInputAndWhatItNeeds() throws {
        #expect(try buildError(#"{"type": "flatten"}, {"type": "dense", "units": 64}, {"type": "conv2d", "filters": 2, "kernel_size": 3}"#)
            == "model.json: layers[2]: conv2d_1: needs an input of rank 3 (height, width, channels), got [64]")
        #expect(try buildError(#"{"type": "conv2d", "filters": 2, "kernel_size": 3}, {"type": "flatten"}, {"type": "conv2d", "filters": 2, "kernel_size": 3}"#)
            == "model.json: layers[2]: conv2d_2: needs an input of rank 3 (height, width, channels), got [32]")
        #expect(try buildError(#"{"type": "conv2d", "filters": 2, "kernel_size": 7}"#)
            == #"model.json: layers[0]: conv2d_1: a 7x7 kernel with valid padding does not fit an input of 6x6 (shape [6, 6, 2]); use smaller kernels or padding "same""#)
        #expect(try buildError(#"{"type": "conv2d", "filters": 2, "kernel_size": 7, "padding": "same"}"#) == nil)
        #expect(try buildError(#"{"type": "max_pooling2d", "pool_size": [2, 7]}"#)
            == #"model.json: layers[0]: max_pooling2d_1: a 2x7 pool with valid padding does not fit an input of 6x6 (shape [6, 6, 2]); use a smaller pool_size or padding "same""#)
        #expect(try buildError(#"{"type": "average_pooling2d"}"#, input: "[6, 6]")
            == "model.json: layers[0]: average_pooling2d_1: needs an input of rank 3 (height, width, channels), got [6, 6]")
        #expect(try buildError(#"{"type": "global_average_pooling2d"}"#, input: "[6]")
            == "model.json: layers[0]: global_average_pooling2d_1: needs an input of rank 3 (height, width, channels), got [6]")
        #expect(try buildError(#"{"type": "flatten"}, {"type": "embedding", "input_dim": 3, "output_dim": 2}"#)?
            .hasPrefix("model.json: layers[1]: embedding_1: takes integer token ids, so it must be the model's first layer") == true)
        #expect(try buildError(#"{"type": "residual", "layers": [{"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same"}]}"#)?
            .hasPrefix("model.json: layers[0]: residual_1:") == true)
        #expect(try buildError(#"{"type": "residual", "layers": [{"type": "flatten"}, {"type": "conv2d", "filters": 2, "kernel_size": 3}]}"#)
            == "model.json: layers[0].layers[1]: conv2d_1: needs an input of rank 3 (height, width, channels), got [72]")
    }

    @Test func builtModelsHaveTheShapesAndParametersOfTheTable() throws {
        let s = try decode("""
            {"type": "conv2d", "filters": 3, "kernel_size": [3, 2], "strides": 2, "padding": "same"},
            {"type": "max_pooling2d", "padding": "same"}, {"type": "global_average_pooling2d"}
            """, input: "[7, 5, 2]")
        let m = try Model(spec: s)
        #expect(m.layers.map(\.outputShape) == [[4, 3, 3], [2, 2, 3], [3]])
        #expect(m.parameters.map(\.name) == ["conv2d_1/kernel", "conv2d_1/bias"])
        #expect(m.parameters.map(\.shape) == [[3, 2, 2, 3], [3]])
        let e = try Model(spec: decode(#"{"type": "embedding", "input_dim": 9, "output_dim": 4}, {"type": "flatten"}"#, input: "[5]"))
        #expect(e.layers.map(\.outputShape) == [[5, 4], [20]])
        #expect(e.parameters.map(\.name) == ["embedding_1/embeddings"])
        #expect(e.takesIndices)
    }

    @Test func everyFixtureSpecBuilds() throws {
        for url in SpecTestSupport.specFiles() {
            let spec = try ModelSpec.load(contentsOf: url)
            #expect(throws: Never.self, "\(url.lastPathComponent)") { try Model(spec: spec) }
        }
    }
}

@Suite struct OrthogonalInitializerTests {
    func matrix(_ shape: [Int], gain: Double = 1, seed: UInt64 = 3) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return InitializerSpec.orthogonal(gain: gain).makeTensor(shape: shape, rng: &rng)
    }

    /// `aᵀa` (columns) or `aaᵀ` (rows) of a `rows × cols` row-major matrix.
    func gram(_ a: Tensor<Double>, rows: Int, cols: Int, ofColumns: Bool) -> [[Double]] {
        let n = ofColumns ? cols : rows
        var g = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n {
            var s = 0.0
            if ofColumns { for r in 0..<rows { s += a.scalars[r * cols + i] * a.scalars[r * cols + j] } }
            else { for c in 0..<cols { s += a.scalars[i * cols + c] * a.scalars[j * cols + c] } }
            g[i][j] = s
        } }
        return g
    }

    @Test(arguments: [([4, 4], true), ([6, 3], true), ([3, 6], false), ([2, 3, 4], true), ([5, 20], false)])
    func orthonormalColumnsOrRows(shape: [Int], columns: Bool) {
        let a = matrix(shape, gain: 1.5)
        #expect(a.shape == shape)
        let cols = shape.last!, rows = shape.reduce(1, *) / cols
        let g = gram(a, rows: rows, cols: cols, ofColumns: columns)
        for i in g.indices { for j in g.indices {
            #expect(abs(g[i][j] - (i == j ? 2.25 : 0)) < 1e-12)
        } }
    }

    @Test func deterministicAndSignFixed() {
        #expect(matrix([5, 5]) == matrix([5, 5]))
        #expect(matrix([5, 5], seed: 1) != matrix([5, 5], seed: 2))
        // Q of a QR with a positive diagonal of R: the first column is the first normal
        // column scaled, so it points the same way (a positive dot product).
        var rng = SeededRNG(seed: 3)
        let raw = (0..<12).map { _ in rng.normal() }  // 4 × 3, row-major
        let q = matrix([4, 3])
        var dot = 0.0
        for r in 0..<4 { dot += raw[r * 3] * q.scalars[r * 3] }
        #expect(dot > 0)
        let norm = (0..<4).map { raw[$0 * 3] * raw[$0 * 3] }.reduce(0, +).squareRoot()
        for r in 0..<4 { #expect(abs(q.scalars[r * 3] - raw[r * 3] / norm) < 1e-12) }
    }

    @Test func specDecodesAndRoundTrips() throws {
        let d = { (s: String) throws(SpecError) -> InitializerSpec in
            try InitializerSpec.decode(JSONParser.parse(s), path: "i", file: nil)
        }
        #expect(try d(#""orthogonal""#) == .orthogonal(gain: 1))
        #expect(try d(#"{"type": "orthogonal", "gain": 0.5}"#) == .orthogonal(gain: 0.5))
        #expect(InitializerSpec.orthogonal(gain: 0.5).jsonValue == ["type": "orthogonal", "gain": 0.5])
        #expect(InitializerSpec.orthogonal().jsonValue == "orthogonal")
        #expect(InitializerSpec.typeNames.contains("orthogonal"))
    }
}
