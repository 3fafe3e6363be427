/// Which optimiser trains the model; the raw value is the format's name.
public enum OptimizerKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Stochastic gradient descent, with optional (Nesterov) momentum.
    case sgd
    /// RMSprop.
    case rmsprop
    /// Adagrad.
    case adagrad
    /// Adam (optionally AMSGrad).
    case adam
    /// Adam with decoupled weight decay.
    case adamw

    /// The keys an optimizer object of this type accepts besides `type`,
    /// `learning_rate` and the Keras clipping keys.
    var ownKeys: [String] {
        switch self {
        case .sgd: return ["momentum", "nesterov"]
        case .rmsprop: return ["rho", "momentum", "epsilon"]
        case .adagrad: return ["initial_accumulator_value", "epsilon"]
        case .adam: return ["beta_1", "beta_2", "epsilon", "amsgrad"]
        case .adamw: return ["beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay"]
        }
    }
}
