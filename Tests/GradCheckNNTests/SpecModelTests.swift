import Foundation
import Testing
@testable import GradCheckNN

private let formatsExample = """
{
  "format": "gradcheck.model/1",
  "name": "mlp-l2-clipnorm",
  "input_shape": [784],
  "layers": [
    {"type": "dense", "units": 64, "activation": "relu",
     "kernel_regularizer": {"l2": 0.01}},
    {"type": "dropout", "rate": 0.5},
    {"type": "dense", "units": 10, "activation": "softmax"}
  ],
  "loss": "sparse_categorical_crossentropy",
  "training": {
    "optimizer": {"type": "adam", "learning_rate": 0.001},
    "clipping": {"type": "global_norm", "max_norm": 1.0},
    "epochs": 10, "batch_size": 128, "validation_split": 0.2, "seed": 42,
    "early_stopping": {"monitor": "val_loss", "patience": 5}
  }
}
"""

@Test func decodesTheFormatsExample() throws {
    let spec = try ModelSpec.decode(json: formatsExample)
    #expect(spec.name == "mlp-l2-clipnorm")
    #expect(spec.inputShape == [784])
    #expect(spec.layers.map(\.name) == ["dense_1", "dropout_1", "dense_2"])
    #expect(spec.layers.map(\.path) == ["layers[0]", "layers[1]", "layers[2]"])
    #expect(spec.layers[0].kind == .dense(DenseSpec(units: 64, activation: .relu, kernelRegularizer: RegularizerSpec(l2: 0.01))))
    #expect(spec.layers[1].kind == .dropout(rate: 0.5))
    #expect(spec.loss == LossSpec(kind: .sparseCategoricalCrossentropy))
    let training = try #require(spec.training)
    #expect(training.optimizer == OptimizerSpec(kind: .adam, learningRate: 0.001))
    #expect(training.clipping == .globalNorm(maxNorm: 1))
    #expect(training.effectiveClipping == .globalNorm(maxNorm: 1))
    #expect(training.epochs == 10)
    #expect(training.batchSize == 128)
    #expect(training.validationSplit == 0.2)
    #expect(training.seed == 42)
    #expect(training.earlyStopping == EarlyStoppingSpec(monitor: "val_loss", patience: 5))
}

@Test func everyFixtureSpecDecodesAndRoundTrips() throws {
    let files = SpecTestSupport.specFiles()
    #expect(!files.isEmpty)
    for url in files {
        let spec = try ModelSpec.load(contentsOf: url)
        #expect(try ModelSpec.decode(spec.jsonValue) == spec, "\(url.lastPathComponent)")
        let text = JSONWriter.pretty.string(for: spec.jsonValue)
        #expect(try ModelSpec.decode(json: text) == spec, "\(url.lastPathComponent)")
        #expect(JSONWriter.pretty.string(for: try ModelSpec.decode(json: text).jsonValue) == text)
    }
}

@Test func fixtureDetailsDecodeAsWritten() throws {
    let activations = try ModelSpec.load(contentsOf: SpecTestSupport.specsDirectory.appendingPathComponent("tiny-activations.json"))
    guard case let .dense(d) = activations.layers[2].kind else { Issue.record("not dense"); return }
    #expect(d.activation == .leakyRelu(alpha: 0.3))
    #expect(d.kernelInitializer == .heNormal)
    #expect(activations.layers[1].kind == .activation(.relu))
    #expect(activations.layers[1].name == "activation_1")
    guard case let .dense(g) = activations.layers[8].kind else { Issue.record("not dense"); return }
    #expect(g.activation == .gelu(approximate: true))
    let clip = try ModelSpec.load(contentsOf: SpecTestSupport.specsDirectory.appendingPathComponent("mlp-l2-clipnorm.json"))
    #expect(clip.training?.optimizer?.kerasClipping == .norm(maxNorm: 1))
    #expect(clip.training?.effectiveClipping == .norm(maxNorm: 1))
    let reshape = try ModelSpec.load(contentsOf: SpecTestSupport.specsDirectory.appendingPathComponent("tiny-reshape.json"))
    #expect(reshape.layers.map(\.name) == ["dense_1", "flatten_1", "reshape_1", "flatten_2", "dense_2"])
    #expect(reshape.layers[2].kind == .reshape(targetShape: [2, 4]))
}

@Test func everyOptionRoundTrips() throws {
    let json = """
    {"name": "all", "input_shape": [2, 3],
     "layers": [
       {"type": "dense", "name": "first", "units": 3, "use_bias": false,
        "activation": {"type": "elu", "alpha": 0.5},
        "kernel_initializer": {"type": "random_normal", "mean": 0.1, "stddev": 0.2},
        "bias_initializer": {"type": "constant", "value": 0.5},
        "kernel_regularizer": {"l1": 0.001, "l2": 0.01}, "bias_regularizer": {"l1": 0.1},
        "activity_regularizer": {"l2": 0.2}},
       {"type": "dense", "units": 3, "activation": "gelu", "kernel_initializer": {"type": "random_uniform", "minval": -1, "maxval": 2}},
       {"type": "dense", "units": 3, "kernel_initializer": {"type": "truncated_normal", "stddev": 0.3}},
       {"type": "activation", "activation": {"type": "leaky_relu"}},
       {"type": "reshape", "target_shape": [-1, 3]},
       {"type": "flatten"},
       {"type": "dropout", "rate": 0}
     ],
     "loss": {"type": "huber", "delta": 0.5},
     "training": {"optimizer": {"type": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": true, "clipvalue": 0.5},
                  "epochs": 3, "seed": 9007199254740992,
                  "early_stopping": {"monitor": "accuracy", "patience": 2, "min_delta": 0.01, "restore_best_weights": true}}}
    """
    let spec = try ModelSpec.decode(json: json)
    #expect(spec.layers.map(\.name) == ["first", "dense_2", "dense_3", "activation_1", "reshape_1", "flatten_1", "dropout_1"])
    guard case let .dense(d) = spec.layers[0].kind else { Issue.record("not dense"); return }
    #expect(d == DenseSpec(units: 3, activation: .elu(alpha: 0.5), useBias: false,
                           kernelInitializer: .randomNormal(mean: 0.1, stddev: 0.2), biasInitializer: .constant(value: 0.5),
                           kernelRegularizer: RegularizerSpec(l1: 0.001, l2: 0.01), biasRegularizer: RegularizerSpec(l1: 0.1),
                           activityRegularizer: RegularizerSpec(l2: 0.2)))
    #expect(spec.layers[2].kind == .dense(DenseSpec(units: 3, kernelInitializer: .truncatedNormal(stddev: 0.3))))
    #expect(spec.layers[3].kind == .activation(.leakyRelu(alpha: 0.2)))
    #expect(spec.layers[4].kind == .reshape(targetShape: [-1, 3]))
    #expect(spec.loss == LossSpec(kind: .huber(delta: 0.5)))
    var sgd = OptimizerSpec(kind: .sgd, learningRate: 0.1)
    sgd.momentum = 0.9
    sgd.nesterov = true
    sgd.kerasClipping = .value(clipValue: 0.5)
    #expect(spec.training?.optimizer == sgd)
    #expect(spec.training?.seed == 9_007_199_254_740_992)
    #expect(try ModelSpec.decode(spec.jsonValue) == spec)
    #expect(try ModelSpec.decode(json: JSONWriter.compact.string(for: spec.jsonValue)) == spec)
}

@Test func optimizerDefaultsFollowKeras() throws {
    func decode(_ s: String) throws -> OptimizerSpec {
        try OptimizerSpec.decode(JSONParser.parse(s), path: "o", file: nil)
    }
    let sgd = try decode(#""sgd""#)
    #expect(sgd.learningRate == 0.01 && sgd.momentum == 0 && !sgd.nesterov)
    let rms = try decode(#"{"type": "rmsprop"}"#)
    #expect(rms.learningRate == 0.001 && rms.rho == 0.9 && rms.epsilon == 1e-7 && rms.momentum == 0)
    let ada = try decode(#"{"type": "adagrad"}"#)
    #expect(ada.learningRate == 0.001 && ada.initialAccumulatorValue == 0.1 && ada.epsilon == 1e-7)
    let adam = try decode(#"{"type": "adam", "amsgrad": true}"#)
    #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-7 && adam.amsgrad && adam.weightDecay == 0)
    let adamw = try decode(#"{"type": "adamw"}"#)
    #expect(adamw.weightDecay == 0.004 && adamw.learningRate == 0.001)
    for kind in OptimizerKind.allCases {
        var o = OptimizerSpec(kind: kind, learningRate: 0.5)
        o.kerasClipping = .globalNorm(maxNorm: 2)
        #expect(try OptimizerSpec.decode(o.jsonValue, path: "", file: nil) == o)
    }
}

@Test func clippingAndActivationAndLossForms() throws {
    let clippings: [ClippingSpec] = [
        .none, .value(clipValue: 0.5), .norm(maxNorm: 1), .globalNorm(maxNorm: 2), .agc(), .agc(clipping: 0.1, eps: 0),
        .autoclip(), .autoclip(percentile: 90), .zclip(), .zclip(zThreshold: 3, alpha: 0.9, warmupSteps: 0),
    ]
    for c in clippings {
        #expect(try ClippingSpec.decode(c.jsonValue, path: "c", file: nil) == c)
    }
    #expect(try ClippingSpec.decode("zclip", path: "c", file: nil) == .zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 25))
    #expect(try ClippingSpec.decode("agc", path: "c", file: nil) == .agc(clipping: 0.01, eps: 1e-3))
    let activations: [ActivationSpec] = [
        .linear, .relu, .leakyRelu(), .leakyRelu(alpha: 0.3), .elu(), .elu(alpha: 2), .selu, .gelu(), .gelu(approximate: true),
        .sigmoid, .hardSigmoid, .tanh, .softplus, .softsign, .swish, .softmax, .logSoftmax,
    ]
    for a in activations {
        #expect(try ActivationSpec.decode(a.jsonValue, path: "a", file: nil) == a)
    }
    #expect(Set(activations.map(\.typeName)) == Set(ActivationSpec.typeNames))
    #expect(try ActivationSpec.decode(["type": "relu"], path: "a", file: nil) == .relu)
    let losses: [LossSpec] = [
        LossSpec(kind: .meanSquaredError), LossSpec(kind: .meanAbsoluteError), LossSpec(kind: .huber()),
        LossSpec(kind: .huber(delta: 2)), LossSpec(kind: .binaryCrossentropy, fromLogits: true),
        LossSpec(kind: .categoricalCrossentropy), LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true),
    ]
    for l in losses {
        #expect(try LossSpec.decode(l.jsonValue, path: "loss", file: nil) == l)
    }
    let inits: [InitializerSpec] = [
        .zeros, .ones, .constant(), .constant(value: 2), .glorotUniform, .glorotNormal, .heNormal, .heUniform,
        .lecunNormal, .lecunUniform, .randomNormal(), .randomNormal(mean: 1, stddev: 2), .randomUniform(),
        .randomUniform(minval: 0, maxval: 1), .truncatedNormal(), .truncatedNormal(mean: -1, stddev: 0.5),
        .orthogonal(), .orthogonal(gain: 0.5),
    ]
    for i in inits {
        #expect(try InitializerSpec.decode(i.jsonValue, path: "i", file: nil) == i)
    }
    #expect(Set(inits.map(\.typeName)) == Set(InitializerSpec.typeNames))
}

@Test func defaultNamesCountEachTypeOverTheWholeModel() throws {
    let spec = try ModelSpec.decode(json: """
    {"name": "n", "input_shape": [3], "loss": "mean_squared_error", "layers": [
      {"type": "dense", "units": 2}, {"type": "dense", "units": 2, "name": "middle"},
      {"type": "activation", "activation": "relu"}, {"type": "dense", "units": 2}]}
    """)
    #expect(spec.layers.map(\.name) == ["dense_1", "middle", "activation_1", "dense_3"])
    #expect(spec.layer(named: "middle")?.path == "layers[1]")
}
