/// The optimiser configuration (`training.optimizer`), with Keras 3 names and defaults.
///
/// Every field exists on every type so that code reading it needs no optional handling;
/// the fields a type does not use keep their neutral defaults (see ``init(kind:)``), and
/// a spec may only set the keys its type has (`momentum` on `adam` is an error).
///
/// | type | keys (defaults) |
/// |---|---|
/// | `sgd` | `learning_rate` 0.01, `momentum` 0, `nesterov` false |
/// | `rmsprop` | `learning_rate` 0.001, `rho` 0.9, `momentum` 0, `epsilon` 1e-7 |
/// | `adagrad` | `learning_rate` 0.001, `initial_accumulator_value` 0.1, `epsilon` 1e-7 |
/// | `adam` | `learning_rate` 0.001, `beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7, `amsgrad` false |
/// | `adamw` | as `adam`, plus `weight_decay` 0.004 |
///
/// Any type also takes one of Keras' `clipnorm`, `clipvalue` or `global_clipnorm`, kept
/// in ``kerasClipping``.
public struct OptimizerSpec: Sendable, Equatable, Hashable {
    /// Which optimiser.
    public var kind: OptimizerKind
    /// The step size (≥ 0).
    public var learningRate: Double
    /// Momentum for `sgd` and `rmsprop`, in [0, 1].
    public var momentum: Double
    /// Nesterov momentum for `sgd`.
    public var nesterov: Bool
    /// The decay of the squared-gradient average for `rmsprop`, in [0, 1).
    public var rho: Double
    /// The denominator's fuzz term (`rmsprop`, `adagrad`, `adam`, `adamw`).
    public var epsilon: Double
    /// Adam's first-moment decay, in [0, 1).
    public var beta1: Double
    /// Adam's second-moment decay, in [0, 1).
    public var beta2: Double
    /// AdamW's decoupled weight decay (0 for every other type).
    public var weightDecay: Double
    /// Adagrad's starting accumulator.
    public var initialAccumulatorValue: Double
    /// Whether Adam uses the AMSGrad variant.
    public var amsgrad: Bool
    /// Clipping given Keras-style on the optimizer: `clipnorm` → ``ClippingSpec/norm(maxNorm:)``,
    /// `clipvalue` → ``ClippingSpec/value(clipValue:)``, `global_clipnorm` →
    /// ``ClippingSpec/globalNorm(maxNorm:)``.
    public var kerasClipping: ClippingSpec?

    /// The Keras 3 defaults for `kind`.
    public init(kind: OptimizerKind) {
        self.kind = kind
        self.learningRate = kind == .sgd ? 0.01 : 0.001
        self.momentum = 0
        self.nesterov = false
        self.rho = 0.9
        self.epsilon = 1e-7
        self.beta1 = 0.9
        self.beta2 = 0.999
        self.weightDecay = kind == .adamw ? 0.004 : 0
        self.initialAccumulatorValue = 0.1
        self.amsgrad = false
        self.kerasClipping = nil
    }

    /// The Keras 3 defaults for `kind` with another learning rate.
    public init(kind: OptimizerKind, learningRate: Double) {
        self.init(kind: kind)
        self.learningRate = learningRate
    }

    static let clippingKeys = ["clipnorm", "clipvalue", "global_clipnorm"]

    /// Decodes an optimizer object, or a bare type name for all defaults (`"adam"`).
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown type (with a did-you-mean), a key
    ///   that does not apply to the type, an out-of-range value, or more than one of
    ///   `clipnorm`, `clipvalue` and `global_clipnorm` (the error names both).
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> OptimizerSpec {
        if case let .string(name) = value {
            return OptimizerSpec(kind: try kind(name, path: path, file: file))
        }
        guard case .object = value else {
            throw Read.fail("an optimizer object like {\"type\": \"adam\", \"learning_rate\": 0.001}", value, path, file)
        }
        let r = try ObjectReader(value, path: path, file: file)
        let typeName = try r.typeName()
        let kind = try kind(typeName, path: r.path("type"), file: file)
        let own = kind.ownKeys
        var elsewhere: [String: String] = [:]
        for other in OptimizerKind.allCases {
            for key in other.ownKeys where !own.contains(key) {
                elsewhere[key] = "\"\(key)\" does not apply to optimizer type \"\(typeName)\""
            }
        }
        try r.allowOnly(["type", "learning_rate"] + own + clippingKeys, elsewhere: elsewhere)

        var spec = OptimizerSpec(kind: kind)
        spec.learningRate = try r.get("learning_rate", default: spec.learningRate, Read.nonNegativeNumber)
        spec.momentum = try r.get("momentum", default: spec.momentum, Read.number(.unitClosed))
        spec.nesterov = try r.get("nesterov", default: spec.nesterov, Read.bool)
        spec.rho = try r.get("rho", default: spec.rho, Read.number(.unitHalfOpen))
        spec.epsilon = try r.get("epsilon", default: spec.epsilon, Read.nonNegativeNumber)
        spec.beta1 = try r.get("beta_1", default: spec.beta1, Read.number(.unitHalfOpen))
        spec.beta2 = try r.get("beta_2", default: spec.beta2, Read.number(.unitHalfOpen))
        spec.weightDecay = try r.get("weight_decay", default: spec.weightDecay, Read.nonNegativeNumber)
        spec.initialAccumulatorValue = try r.get(
            "initial_accumulator_value", default: spec.initialAccumulatorValue, Read.nonNegativeNumber)
        spec.amsgrad = try r.get("amsgrad", default: spec.amsgrad, Read.bool)

        var given: String?
        for key in r.object.keys where clippingKeys.contains(key) && r.has(key) {
            if let given {
                throw r.error(key, "cannot be combined with \(r.path(given)); give one clipping only")
            }
            given = key
            let amount = try r.require(key, Read.positiveNumber)
            switch key {
            case "clipnorm": spec.kerasClipping = .norm(maxNorm: amount)
            case "clipvalue": spec.kerasClipping = .value(clipValue: amount)
            default: spec.kerasClipping = .globalNorm(maxNorm: amount)
            }
        }
        return spec
    }

    static func kind(_ name: String, path: String, file: String?) throws(SpecError) -> OptimizerKind {
        if let kind = OptimizerKind(rawValue: name) { return kind }
        try Read.typeName(name, among: OptimizerKind.allCases.map(\.rawValue), what: "optimizer type",
                          aliases: ["adam_w": "adamw", "rms_prop": "rmsprop", "ada_grad": "adagrad"],
                          path: path, file: file)
        return .sgd
    }

    /// The Keras key that holds ``kerasClipping``, when it is one Keras can express.
    var kerasClippingKey: (String, Double)? {
        switch kerasClipping {
        case let .norm(m)?: return ("clipnorm", m)
        case let .value(v)?: return ("clipvalue", v)
        case let .globalNorm(m)?: return ("global_clipnorm", m)
        default: return nil
        }
    }

    /// The optimizer object with `type`, `learning_rate` and every key the type has,
    /// then the Keras clipping key if any. (A ``kerasClipping`` that Keras cannot express,
    /// such as `.zclip`, is left out.)
    public var jsonValue: JSONValue {
        var o: JSONObject = ["type": .string(kind.rawValue), "learning_rate": .number(learningRate)]
        for key in kind.ownKeys {
            switch key {
            case "momentum": o[key] = .number(momentum)
            case "nesterov": o[key] = .bool(nesterov)
            case "rho": o[key] = .number(rho)
            case "epsilon": o[key] = .number(epsilon)
            case "beta_1": o[key] = .number(beta1)
            case "beta_2": o[key] = .number(beta2)
            case "weight_decay": o[key] = .number(weightDecay)
            case "initial_accumulator_value": o[key] = .number(initialAccumulatorValue)
            case "amsgrad": o[key] = .bool(amsgrad)
            default: break
            }
        }
        if let (key, amount) = kerasClippingKey { o[key] = .number(amount) }
        return .object(o)
    }
}
