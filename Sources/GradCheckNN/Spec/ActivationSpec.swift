/// An activation function as a model spec names it (FORMATS.md §1).
///
/// Written as a string (`"relu"`) or, for the ones with parameters, as an object:
/// `{"type": "leaky_relu", "alpha": 0.3}`, `{"type": "elu", "alpha": 1.0}`,
/// `{"type": "gelu", "approximate": true}`.
public enum ActivationSpec: Sendable, Equatable, Hashable {
    /// The identity (the default).
    case linear
    /// `max(x, 0)`.
    case relu
    /// `x` for `x > 0`, else `alpha * x`.
    case leakyRelu(alpha: Double = 0.2)
    /// `x` for `x > 0`, else `alpha * (exp(x) - 1)`.
    case elu(alpha: Double = 1)
    /// Scaled ELU with the usual constants.
    case selu
    /// `x * Phi(x)`, or the tanh approximation when `approximate`.
    case gelu(approximate: Bool = false)
    /// `1 / (1 + exp(-x))`.
    case sigmoid
    /// `clip(x / 6 + 0.5, 0, 1)`.
    case hardSigmoid
    /// `tanh(x)`.
    case tanh
    /// `log(1 + exp(x))`.
    case softplus
    /// `x / (1 + |x|)`.
    case softsign
    /// `x * sigmoid(x)`.
    case swish
    /// Softmax over the last axis.
    case softmax
    /// Log-softmax over the last axis.
    case logSoftmax

    /// Every type name the format knows, in the order FORMATS.md lists them.
    public static let typeNames = [
        "linear", "relu", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
        "tanh", "softplus", "softsign", "swish", "softmax", "log_softmax",
    ]

    /// The name in the format: `"leaky_relu"`, `"log_softmax"`, ...
    public var typeName: String {
        switch self {
        case .linear: return "linear"
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .elu: return "elu"
        case .selu: return "selu"
        case .gelu: return "gelu"
        case .sigmoid: return "sigmoid"
        case .hardSigmoid: return "hard_sigmoid"
        case .tanh: return "tanh"
        case .softplus: return "softplus"
        case .softsign: return "softsign"
        case .swish: return "swish"
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        }
    }

    /// Common spellings from other libraries, pointed to the format's name.
    static let aliases = [
        "identity": "linear", "none": "linear", "leakyrelu": "leaky_relu", "silu": "swish",
        "logsoftmax": "log_softmax", "hardsigmoid": "hard_sigmoid",
    ]

    /// Decodes the string or object form.
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown name (with a did-you-mean), a
    ///   parameter on a type that has none, or a parameter of the wrong type.
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> ActivationSpec {
        switch value {
        case let .string(name):
            return try named(name, path: path, file: file)
        case .object:
            let r = try ObjectReader(value, path: path, file: file)
            let name = try r.typeName()
            let base = try named(name, path: r.path("type"), file: file)
            let notHere = { (key: String) in "activation \"\(name)\" has no parameter \"\(key)\"" }
            switch base {
            case .leakyRelu:
                try r.allowOnly(["type", "alpha"], elsewhere: ["approximate": notHere("approximate")])
                return .leakyRelu(alpha: try r.get("alpha", default: 0.2, Read.number))
            case .elu:
                try r.allowOnly(["type", "alpha"], elsewhere: ["approximate": notHere("approximate")])
                return .elu(alpha: try r.get("alpha", default: 1, Read.number))
            case .gelu:
                try r.allowOnly(["type", "approximate"], elsewhere: ["alpha": notHere("alpha")])
                return .gelu(approximate: try r.get("approximate", default: false, Read.bool))
            default:
                try r.allowOnly(["type"], elsewhere: ["alpha": notHere("alpha"), "approximate": notHere("approximate")])
                return base
            }
        default:
            throw Read.fail("an activation name or object", value, path, file)
        }
    }

    /// The activation with default parameters for a type name.
    static func named(_ name: String, path: String, file: String?) throws(SpecError) -> ActivationSpec {
        switch name {
        case "linear": return .linear
        case "relu": return .relu
        case "leaky_relu": return .leakyRelu()
        case "elu": return .elu()
        case "selu": return .selu
        case "gelu": return .gelu()
        case "sigmoid": return .sigmoid
        case "hard_sigmoid": return .hardSigmoid
        case "tanh": return .tanh
        case "softplus": return .softplus
        case "softsign": return .softsign
        case "swish": return .swish
        case "softmax": return .softmax
        case "log_softmax": return .logSoftmax
        default:
            try Read.typeName(name, among: typeNames, what: "activation", aliases: aliases, path: path, file: file)
            return .linear
        }
    }

    /// The spec as JSON: the bare name when the parameters are the defaults, else the
    /// object form.
    public var jsonValue: JSONValue {
        switch self {
        case let .leakyRelu(alpha) where alpha != 0.2:
            return ["type": "leaky_relu", "alpha": .number(alpha)]
        case let .elu(alpha) where alpha != 1:
            return ["type": "elu", "alpha": .number(alpha)]
        case .gelu(approximate: true):
            return ["type": "gelu", "approximate": true]
        default:
            return .string(typeName)
        }
    }
}
