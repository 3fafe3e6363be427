import GradCheckNN

/// What the monitor can say about a layer's outputs, by the shape of its activation.
///
/// - ``reluFamily``: units can die. A unit (a column of the last axis) is dead on a batch
///   when its output is `<= 0` for every row: exactly zero for ReLU.
/// - ``saturating(lower:upper:)``: bounded outputs can saturate. An output is saturated
///   when it lies within 1% of the range from either bound (sigmoid and hard sigmoid
///   `0...1`, tanh and softsign `-1...1`), where the activation's slope is nearly zero.
/// - ``attention(causal:)``: the values measured are an attention layer's probabilities
///   (`[..., queries, keys]`, each row summing to 1), and the statistic is their entropy:
///   attention that has collapsed onto one key per query is the transformer's dead unit.
///   With `causal`, query `i` sees keys `0...i` only, so each row's entropy is normalised by
///   the logarithm of its own number of visible keys.
/// - ``other``: mean and standard deviation only (linear, softmax, GELU, ...).
public enum ActivationKind: Sendable, Hashable {
    /// ReLU: units can die.
    case reluFamily
    /// A bounded activation: outputs can saturate near `lower` or `upper`.
    case saturating(lower: Double, upper: Double)
    /// Attention probabilities: their normalised entropy is measured (see
    /// ``LayerStats/attentionEntropy``); `causal` when query `i` attends to keys `0...i`.
    case attention(causal: Bool)
    /// Anything else.
    case other

    /// Sigmoid's bounds, `0...1`.
    public static let sigmoid = ActivationKind.saturating(lower: 0, upper: 1)
    /// Hard sigmoid's bounds, `0...1`.
    public static let hardSigmoid = ActivationKind.saturating(lower: 0, upper: 1)
    /// Tanh's bounds, `-1...1`.
    public static let tanh = ActivationKind.saturating(lower: -1, upper: 1)
    /// Softsign's bounds, `-1...1`.
    public static let softsign = ActivationKind.saturating(lower: -1, upper: 1)

    /// The kind of one of the model format's activations: ReLU is the ReLU family (leaky
    /// ReLU, ELU and SELU keep a gradient below zero, so their units do not die); sigmoid,
    /// hard sigmoid, tanh and softsign saturate; everything else is ``other``.
    public init(_ activation: Activation) {
        switch activation {
        case .elementwise(.relu): self = .reluFamily
        case .elementwise(.sigmoid): self = .sigmoid
        case .elementwise(.hardSigmoid): self = .hardSigmoid
        case .elementwise(.tanh): self = .tanh
        case .elementwise(.softsign): self = .softsign
        default: self = .other
        }
    }

    /// The name written in a run log: `relu_family`, `saturating`, `attention` or `other`.
    public var logName: String {
        switch self {
        case .reluFamily: return "relu_family"
        case .saturating: return "saturating"
        case .attention: return "attention"
        case .other: return "other"
        }
    }
}
