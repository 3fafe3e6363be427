import GradCheckAutograd
import GradCheckTensor

/// Layer normalisation over the last axis (Keras `axis=-1`): each position's feature
/// vector is normalised with its own mean and biased variance, then scaled and shifted,
/// `y = γ · (x − μ) / √(σ² + ε) + β`, the same in training and at inference.
///
/// Parameters: `gamma` `[C]` (with `scale`) and `beta` `[C]` (with `center`).
public struct LayerNormalizationLayer: Layer {
    public let name: String
    public var typeName: String { "layer_normalization" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let parameters: [ParameterDescriptor]
    /// Added to the variance before the square root (Keras default 1e-3).
    public let epsilon: Double
    /// Whether the layer adds `beta`.
    public let center: Bool
    /// Whether the layer multiplies by `gamma`.
    public let scale: Bool

    let gammaIndex: Int?, betaIndex: Int?

    /// Builds the layer for `inputShape` (per sample; the last axis is normalised).
    ///
    /// Defaults are Keras 3's: `epsilon` 1e-3, `gamma` ones, `beta` zeros.
    public init(name: String, inputShape: [Int], epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: InitializerSpec = .zeros, gammaInitializer: InitializerSpec = .ones,
                betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil) {
        self.name = name
        self.inputShape = inputShape
        self.epsilon = epsilon
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
        self.gammaIndex = gammaIndex
        self.betaIndex = betaIndex
        self.parameters = params
    }

    /// Builds the layer from a decoded `layer_normalization` spec.
    public init(name: String, spec: LayerNormalizationSpec, inputShape: [Int]) {
        self.init(name: name, inputShape: inputShape, epsilon: spec.epsilon, center: spec.center, scale: spec.scale,
                  betaInitializer: spec.betaInitializer, gammaInitializer: spec.gammaInitializer,
                  betaRegularizer: spec.betaRegularizer.map(Regularizer.init),
                  gammaRegularizer: spec.gammaRegularizer.map(Regularizer.init))
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.layerNormalization(x, gamma: gammaIndex.map { parameters[$0] }, beta: betaIndex.map { parameters[$0] },
                                epsilon: S(epsilon))
    }
}
