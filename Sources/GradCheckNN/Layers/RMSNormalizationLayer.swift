import GradCheckAutograd
import GradCheckTensor

/// Root-mean-square normalisation over the last axis (Keras `RMSNormalization`):
/// `y = x · rsqrt(mean(x²) + ε) · scale`, the same in training and at inference.
///
/// Parameter: `scale` `[features]`, starting at ones.
public struct RMSNormalizationLayer: Layer {
    public let name: String
    public var typeName: String { "rms_normalization" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let parameters: [ParameterDescriptor]
    /// Added to the mean square before the square root (Keras default 1e-6).
    public let epsilon: Double

    /// Builds the layer for `inputShape` (per sample; the last axis is normalised).
    public init(name: String, inputShape: [Int], epsilon: Double = 1e-6) {
        self.name = name
        self.inputShape = inputShape
        self.epsilon = epsilon
        self.parameters = [ParameterDescriptor(name: "\(name)/scale", layer: name, shape: [inputShape.last ?? 1],
                                               initializer: .ones)]
    }

    /// Builds the layer from a decoded `rms_normalization` spec.
    public init(name: String, spec: RMSNormalizationSpec, inputShape: [Int]) {
        self.init(name: name, inputShape: inputShape, epsilon: spec.epsilon)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.rmsNormalization(x, scale: parameters[0], epsilon: S(epsilon))
    }
}
