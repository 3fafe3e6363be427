import GradCheckAutograd
import GradCheckTensor

/// Group normalisation (Keras `GroupNormalization`, `axis=-1`): the channels are split into
/// `groups` blocks of consecutive channels, each normalised per sample over its channels
/// and every position, `y = γ · (x − μ) / √(σ² + ε) + β`, the same in training and at
/// inference.
///
/// Parameters: `gamma` `[channels]` (with `scale`) and `beta` `[channels]` (with `center`).
public struct GroupNormalizationLayer: Layer {
    public let name: String
    public var typeName: String { "group_normalization" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let parameters: [ParameterDescriptor]
    /// The number of channel groups.
    public let groups: Int
    /// Added to the variance before the square root (Keras default 1e-3).
    public let epsilon: Double

    let gammaIndex: Int?, betaIndex: Int?

    /// What is wrong with `inputShape` for `groups`, or `nil`: the groups must divide the
    /// channels (the last axis).
    public static func inputProblem(groups: Int, inputShape: [Int]) -> String? {
        guard let channels = inputShape.last else { return "needs an input with a channel axis, got \(inputShape)" }
        return channels % groups == 0 ? nil
            : "groups \(groups) must divide the \(channels) channels of an input of shape \(inputShape)"
    }

    /// Builds the layer from a decoded `group_normalization` spec.
    ///
    /// - Precondition: ``inputProblem(groups:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: GroupNormalizationSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(groups: spec.groups, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.groups = spec.groups
        self.epsilon = spec.epsilon
        let c = inputShape.last ?? 1
        var params: [ParameterDescriptor] = []
        var gammaIndex: Int?, betaIndex: Int?
        if spec.scale {
            gammaIndex = params.count
            params.append(ParameterDescriptor(name: "\(name)/gamma", layer: name, shape: [c], initializer: spec.gammaInitializer,
                                              regularizer: spec.gammaRegularizer.map(Regularizer.init)))
        }
        if spec.center {
            betaIndex = params.count
            params.append(ParameterDescriptor(name: "\(name)/beta", layer: name, shape: [c], initializer: spec.betaInitializer,
                                              regularizer: spec.betaRegularizer.map(Regularizer.init)))
        }
        self.gammaIndex = gammaIndex
        self.betaIndex = betaIndex
        self.parameters = params
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.groupNormalization(x, groups: groups, gamma: gammaIndex.map { parameters[$0] },
                                beta: betaIndex.map { parameters[$0] }, epsilon: S(epsilon))
    }
}
