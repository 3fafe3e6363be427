import GradCheckAutograd
import GradCheckTensor

/// An activation function of the model format: an elementwise ``UnaryFunction`` or a
/// row-wise softmax / log-softmax over the last axis.
public enum Activation: Sendable, Hashable {
    /// `f(x)` element by element.
    case elementwise(UnaryFunction)
    /// Softmax over the last axis.
    case softmax
    /// Log-softmax over the last axis.
    case logSoftmax

    /// The identity.
    public static let linear = Activation.elementwise(.identity)

    /// The activation a spec names.
    public init(_ spec: ActivationSpec) {
        switch spec {
        case .linear: self = .linear
        case .relu: self = .elementwise(.relu)
        case let .leakyRelu(alpha): self = .elementwise(.leakyRelu(alpha: alpha))
        case let .elu(alpha): self = .elementwise(.elu(alpha: alpha))
        case .selu: self = .elementwise(.selu)
        case let .gelu(approximate): self = .elementwise(approximate ? .geluTanh : .gelu)
        case .sigmoid: self = .elementwise(.sigmoid)
        case .hardSigmoid: self = .elementwise(.hardSigmoid)
        case .tanh: self = .elementwise(.tanh)
        case .softplus: self = .elementwise(.softplus)
        case .softsign: self = .elementwise(.softsign)
        case .swish: self = .elementwise(.swish)
        case .softmax: self = .softmax
        case .logSoftmax: self = .logSoftmax
        }
    }

    /// Whether this is the identity.
    public var isLinear: Bool { self == .linear }

    /// Records the activation on a tape.
    public func callAsFunction<S: TensorScalar>(_ x: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        switch self {
        case let .elementwise(f): return tape.apply(f, x)
        case .softmax: return tape.softmax(x)
        case .logSoftmax: return tape.logSoftmax(x)
        }
    }
}
