import GradCheckAutograd
import GradCheckTensor

/// Batch normalisation over every axis but the last (Keras `axis=-1`).
///
/// - Training: each feature (last-axis column) is normalised with the mean and the
///   *biased* variance of the batch (all leading axes), `y = γ · (x − μ_B) / √(σ²_B + ε) + β`.
/// - Inference: the moving statistics take their place,
///   `y = γ · (x − moving_mean) / √(moving_variance + ε) + β`.
///
/// Parameters, in Keras order: `gamma` `[C]` (with `scale`), `beta` `[C]` (with `center`),
/// then `moving_mean` `[C]` and `moving_variance` `[C]`, which are state
/// (`trainable: false`): no gradient is computed or reported for them, and the
/// forward pass in training mode does not read them.
///
/// The moving statistics are not updated by ``forward(_:_:on:context:)`` (a forward
/// pass is a pure function). A trainer calls ``updatedMovingStatistics(input:movingMean:movingVariance:)``
/// (or `Model.updatingMovingStatistics(_:inputs:context:)`) after each training step.
///
/// Stacked batches: when `context.rowSource` is set, the batch is several copies of an
/// original batch of `context.originalBatchSize` samples, one after the other (the
/// verifier's perturbed copies). Each copy is normalised with its own statistics, so a
/// copy is normalised exactly as the original batch would be.
public struct BatchNormalizationLayer: Layer {
    public let name: String
    public var typeName: String { "batch_normalization" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let parameters: [ParameterDescriptor]
    /// Samples are normalised together: never sample-independent.
    public var isSampleIndependent: Bool { false }
    /// Added to the variance before the square root (Keras default 1e-3).
    public let epsilon: Double
    /// The weight of the old moving statistics in an update (Keras default 0.99).
    public let momentum: Double
    /// Whether the layer adds `beta`.
    public let center: Bool
    /// Whether the layer multiplies by `gamma`.
    public let scale: Bool

    /// The position of `gamma` in ``parameters`` (`nil` without `scale`).
    public let gammaIndex: Int?
    /// The position of `beta` in ``parameters`` (`nil` without `center`).
    public let betaIndex: Int?
    /// The position of `moving_mean` in ``parameters``.
    public let movingMeanIndex: Int
    /// The position of `moving_variance` in ``parameters``.
    public let movingVarianceIndex: Int

    /// The number of features (the last axis).
    public var features: Int { inputShape.last ?? 1 }

    /// Builds the layer for `inputShape` (per sample; the last axis holds the features).
    ///
    /// Defaults are Keras 3's: `epsilon` 1e-3, `momentum` 0.99, `gamma` ones, `beta`
    /// zeros, `moving_mean` zeros, `moving_variance` ones.
    public init(name: String, inputShape: [Int], epsilon: Double = 1e-3, momentum: Double = 0.99,
                center: Bool = true, scale: Bool = true,
                betaInitializer: InitializerSpec = .zeros, gammaInitializer: InitializerSpec = .ones,
                movingMeanInitializer: InitializerSpec = .zeros, movingVarianceInitializer: InitializerSpec = .ones,
                betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil) {
        self.name = name
        self.inputShape = inputShape
        self.epsilon = epsilon
        self.momentum = momentum
        self.center = center
        self.scale = scale
        let c = inputShape.last ?? 1
        var params: [ParameterDescriptor] = []
        var gammaIndex: Int?, betaIndex: Int?
        if scale {
            gammaIndex = params.count
            params.append(ParameterDescriptor(name: "\(name)/gamma", layer: name, shape: [c],
                                              initializer: gammaInitializer, regularizer: gammaRegularizer))
        }
        if center {
            betaIndex = params.count
            params.append(ParameterDescriptor(name: "\(name)/beta", layer: name, shape: [c],
                                              initializer: betaInitializer, regularizer: betaRegularizer))
        }
        movingMeanIndex = params.count
        params.append(ParameterDescriptor(name: "\(name)/moving_mean", layer: name, shape: [c],
                                          initializer: movingMeanInitializer, trainable: false))
        movingVarianceIndex = params.count
        params.append(ParameterDescriptor(name: "\(name)/moving_variance", layer: name, shape: [c],
                                          initializer: movingVarianceInitializer, trainable: false))
        self.gammaIndex = gammaIndex
        self.betaIndex = betaIndex
        self.parameters = params
    }

    /// Builds the layer from a decoded `batch_normalization` spec.
    public init(name: String, spec: BatchNormalizationSpec, inputShape: [Int]) {
        self.init(name: name, inputShape: inputShape, epsilon: spec.epsilon, momentum: spec.momentum,
                  center: spec.center, scale: spec.scale,
                  betaInitializer: spec.betaInitializer, gammaInitializer: spec.gammaInitializer,
                  movingMeanInitializer: spec.movingMeanInitializer,
                  movingVarianceInitializer: spec.movingVarianceInitializer,
                  betaRegularizer: spec.betaRegularizer.map(Regularizer.init),
                  gammaRegularizer: spec.gammaRegularizer.map(Regularizer.init))
    }

    /// The number of copies of the original batch in a batch of `batch` samples: 1 for an
    /// ordinary batch, `batch / originalBatchSize` for a stacked one.
    public static func groupCount(batch: Int, context: ForwardContext) -> Int {
        guard context.rowSource != nil, context.originalBatchSize > 0,
              batch >= context.originalBatchSize, batch % context.originalBatchSize == 0 else { return 1 }
        return batch / context.originalBatchSize
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let gamma = gammaIndex.map { parameters[$0] }
        let beta = betaIndex.map { parameters[$0] }
        if context.training {
            let batch = tape.value(x).shape.first ?? 1
            let groups = Self.groupCount(batch: batch, context: context)
            return tape.batchNormalization(x, gamma: gamma, beta: beta, epsilon: S(epsilon), groups: groups)
        }
        return tape.normalize(x, mean: parameters[movingMeanIndex], variance: parameters[movingVarianceIndex],
                              gamma: gamma, beta: beta, epsilon: S(epsilon))
    }

    /// The batch statistics of `input` (`[batch] + inputShape`): each feature's mean and
    /// biased variance over every leading axis, the values a training pass normalises with.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func batchStatistics<S: TensorScalar>(input: Tensor<S>) -> (mean: Tensor<S>, variance: Tensor<S>) {
        let (m, v) = input.groupedColumnMoments(groups: 1)
        return (Tensor(unchecked: [features], scalars: m), Tensor(unchecked: [features], scalars: v))
    }

    /// The moving statistics after one training step on `input`, as Keras 3 updates them:
    ///
    ///     moving_mean     ← moving_mean     · momentum + μ_B  · (1 − momentum)
    ///     moving_variance ← moving_variance · momentum + σ²_B · (1 − momentum)
    ///
    /// where `μ_B` and `σ²_B` are the batch mean and the **biased** batch variance (divided
    /// by the number of values, as in the forward pass; PyTorch would use the unbiased one
    /// here). The trainer calls this with the layer's input of the step, before the
    /// optimiser changes the weights, and stores the results under `<name>/moving_mean` and
    /// `<name>/moving_variance`.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func updatedMovingStatistics<S: TensorScalar>(
        input: Tensor<S>, movingMean: Tensor<S>, movingVariance: Tensor<S>
    ) -> (mean: Tensor<S>, variance: Tensor<S>) {
        let (m, v) = batchStatistics(input: input)
        let keep = S(momentum), take = 1 - S(momentum)
        let mean = movingMean.zipMap(m) { $0 * keep + $1 * take }
        let variance = movingVariance.zipMap(v) { $0 * keep + $1 * take }
        return (mean, variance)
    }
}

extension Model {
    /// `parameters` with the moving statistics of every batch-normalisation layer (those
    /// inside residual blocks included) updated for one training step on `inputs`
    /// (see ``BatchNormalizationLayer/updatedMovingStatistics(input:movingMean:movingVariance:)``).
    ///
    /// Each layer's input is taken from one forward pass with `context` (pass the training
    /// step's context, so dropout masks agree). Other parameters are returned unchanged.
    ///
    /// - Throws: ``ModelError`` when `parameters` does not fit the model.
    public func updatingMovingStatistics<S: TensorScalar>(
        _ parameters: ParameterSet<S>, inputs: Tensor<S>, context: ForwardContext
    ) throws(ModelError) -> ParameterSet<S> {
        let tensors = try orderedTensors(parameters)
        var out = parameters
        let tape = Tape<S>(recording: false)
        var h = tape.constant(inputs)
        for (i, layer) in layers.enumerated() {
            let p = Array(tensors[parameterRanges[i]])
            Self.updateMovingStatistics(layer: layer, input: tape.value(h), parameters: p, into: &out, context: context)
            h = layer.forward(h, p.map { tape.constant($0) }, on: tape, context: context)
        }
        return out
    }

    static func updateMovingStatistics<S: TensorScalar>(
        layer: any Layer, input: Tensor<S>, parameters: [Tensor<S>], into set: inout ParameterSet<S>,
        context: ForwardContext
    ) {
        if let bn = layer as? BatchNormalizationLayer {
            let (m, v) = bn.updatedMovingStatistics(input: input, movingMean: parameters[bn.movingMeanIndex],
                                                    movingVariance: parameters[bn.movingVarianceIndex])
            set[bn.parameters[bn.movingMeanIndex].name] = m
            set[bn.parameters[bn.movingVarianceIndex].name] = v
        } else if let residual = layer as? ResidualLayer {
            let tape = Tape<S>(recording: false)
            var h = tape.constant(input)
            for (j, inner) in residual.layers.enumerated() {
                let p = Array(parameters[residual.parameterRanges[j]])
                updateMovingStatistics(layer: inner, input: tape.value(h), parameters: p, into: &set, context: context)
                h = inner.forward(h, p.map { tape.constant($0) }, on: tape, context: context)
            }
        }
    }
}
