extension Activation {
    /// The activation's name in the model format, as a Keras user wrote it: `relu`,
    /// `leaky_relu (alpha 0.3)`, `gelu (approximate)`, `log_softmax`. Parameters appear
    /// only where they differ from the format's defaults. Functions that are not
    /// activations of the format (`exp`, `log`, `abs`, `square`) have their plain names.
    public var formatName: String {
        switch self {
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        case let .elementwise(f):
            switch f {
            case .identity: return "linear"
            case .relu: return "relu"
            case let .leakyRelu(alpha): return alpha == 0.2 ? "leaky_relu" : "leaky_relu (alpha \(alpha))"
            case let .elu(alpha): return alpha == 1 ? "elu" : "elu (alpha \(alpha))"
            case .selu: return "selu"
            case .gelu: return "gelu"
            case .geluTanh: return "gelu (approximate)"
            case .sigmoid: return "sigmoid"
            case .hardSigmoid: return "hard_sigmoid"
            case .tanh: return "tanh"
            case .softplus: return "softplus"
            case .softsign: return "softsign"
            case .swish: return "swish"
            case .exp: return "exp"
            case .log: return "log"
            case .abs: return "abs"
            case .square: return "square"
            }
        }
    }
}
