/// The problems a health report can find (FORMATS.md §4), by their names in JSON.
public enum FindingKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Gradients of the layers near the input are orders of magnitude below the output
    /// layer's, or below an absolute floor.
    case vanishingGradients = "vanishing_gradients"
    /// The gradient norm grew by orders of magnitude, or past an absolute ceiling.
    case explodingGradients = "exploding_gradients"
    /// A loss, gradient, weight or activation became NaN or infinite.
    case nonfinite
    /// The loss rose far above its minimum.
    case lossDivergence = "loss_divergence"
    /// ReLU-family units output zero for whole batches.
    case deadUnits = "dead_units"
    /// Bounded activations sit at their bounds.
    case saturation
    /// An attention layer's queries each attend to a single key: its attention entropy
    /// has collapsed.
    case attentionCollapse = "attention_collapse"
    /// The loss stopped improving.
    case lossPlateau = "loss_plateau"
    /// The loss swings up and down by a large fraction of its scale.
    case oscillatingLoss = "oscillating_loss"
    /// Updates are tiny next to the weights: the parameters barely move.
    case smallUpdates = "small_updates"
    /// Updates are large next to the weights: each step rewrites them.
    case largeUpdates = "large_updates"
    /// The learning rate jumped up by an order of magnitude or more from one step to the
    /// next (a warm-up or schedule bug).
    case learningRateJump = "learning_rate_jump"

    /// A short title for people: `Vanishing gradients`.
    public var title: String {
        switch self {
        case .vanishingGradients: return "Vanishing gradients"
        case .explodingGradients: return "Exploding gradients"
        case .nonfinite: return "Non-finite values"
        case .lossDivergence: return "Loss divergence"
        case .deadUnits: return "Dead units"
        case .saturation: return "Saturated activations"
        case .attentionCollapse: return "Attention collapse"
        case .lossPlateau: return "Loss plateau"
        case .oscillatingLoss: return "Oscillating loss"
        case .smallUpdates: return "Small updates"
        case .largeUpdates: return "Large updates"
        case .learningRateJump: return "Learning-rate jump"
        }
    }
}
