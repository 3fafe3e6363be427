/// The thresholds of the health rules, with the defaults the literature suggests. The
/// live alerts of ``HealthMonitor`` and the detectors of ``HealthReport`` read the same
/// values; change any of them to suit a model (`gradcheck report` takes flags for the
/// main ones).
///
/// Conventions: the *baseline* of a series is the median of its first ``baselineSteps``
/// finite values; a condition is *sustained* when it holds on at least
/// ``sustainedFraction`` of the steps considered (with the default 0.5, when the median
/// satisfies it).
///
/// Sources:
/// - Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward
///   neural networks*: gradients shrink layer by layer towards the input of deep
///   sigmoid/tanh networks, and sigmoid top layers saturate.
/// - Pascanu, Mikolov & Bengio (2013), *On the difficulty of training recurrent neural
///   networks*: exploding gradients are norm spikes of orders of magnitude; clip the
///   global norm.
/// - Zhang et al. (2021), *AutoTrainer* (ICSE): vanishing when the first/last layer
///   gradient-norm ratio is below 1e-3 (β₁), exploding when above 70 (β₃), dying ReLU
///   when 70% of gradients are zero (γ), unstable loss, non-converging loss, NaN loss.
/// - Wardat et al. (2022), *DeepDiagnosis* (ICSE): numerical errors, exploding tensors,
///   dead and saturated nodes, unchanged weights, loss not decreasing.
/// - Zhai et al. (2023), *Stabilizing Transformer Training by Preventing Attention
///   Entropy Collapse* (ICML): attention entropy that falls towards zero goes with
///   unstable, diverging transformer training.
/// - Karpathy, *CS231n* notes: the update/weight norm ratio should be about 1e-3; much
///   lower means the learning rate is too low, much higher too high.
public struct HealthThresholds: Sendable, Equatable {
    /// Steps at the start of a run whose median is the baseline of the gradient norm and
    /// the loss. Default 10.
    public var baselineSteps = 10
    /// The fraction of steps on which a condition must hold to be sustained. Default 0.5.
    public var sustainedFraction = 0.5
    /// Consecutive steps (measurements, for activation statistics) a sustained condition
    /// must hold before a live alert fires. Default 5.
    public var liveConfirmations = 5

    // MARK: Vanishing gradients

    /// Vanishing when a layer's gradient norm over the output layer's is below this,
    /// sustained (AutoTrainer β₁; Glorot & Bengio 2010). Default 1e-3.
    public var vanishingRatio = 1e-3
    /// Vanishing when a layer's gradient norm is below this absolute floor, sustained.
    /// Default 1e-7.
    public var vanishingNorm = 1e-7
    /// The finding is critical when the ratio is below this (the layer does not learn at
    /// all). Default 1e-6.
    public var vanishingCriticalRatio = 1e-6

    // MARK: Exploding gradients

    /// Exploding when the global gradient norm (before clipping) reaches this multiple of
    /// its baseline: two orders of magnitude (Pascanu et al. 2013). Default 100.
    public var explodingGrowth = 100.0
    /// The finding is critical from this multiple of the baseline. Default 1e4.
    public var explodingCriticalGrowth = 1e4
    /// Exploding when the global gradient norm reaches this absolute value. Default 1e4.
    public var explodingNorm = 1e4
    /// The finding is critical from this absolute global norm. Default 1e6.
    public var explodingCriticalNorm = 1e6
    /// Exploding when a layer's gradient norm over the output layer's is above this,
    /// sustained: gradients grow towards the input (AutoTrainer β₃). Default 70.
    public var explodingLayerRatio = 70.0

    // MARK: Loss

    /// Divergence (critical) when a finite loss exceeds this multiple of the larger of its
    /// baseline and its minimum so far. Default 10.
    public var divergenceFactor = 10.0
    /// Divergence (warning) when the loss at the end of the run has given back more than
    /// this fraction of the progress from the baseline to the minimum (and is at least
    /// twice the minimum). Default 0.5.
    public var divergenceRegression = 0.5
    /// Plateau when the loss improves by less than this fraction of its baseline over the
    /// run (warning), or over the last half of the run while still above a quarter of its
    /// baseline (info). Default 0.01.
    public var plateauImprovement = 0.01
    /// Oscillation when, over the last half of the run, the median step-to-step change of
    /// the loss exceeds this fraction of its baseline and the direction flips on most
    /// steps (AutoTrainer's unstable loss). Default 0.25.
    public var oscillationAmplitude = 0.25
    /// Loss rules need at least this many steps. Default 20.
    public var minimumSteps = 20

    // MARK: Activations

    /// Dead units when this fraction of a ReLU-family layer's units is dead, sustained over
    /// the last half of the run (AutoTrainer γ, DeepDiagnosis dead node). Default 0.5.
    public var deadFraction = 0.5
    /// The dead-units finding is critical from this fraction. Default 0.9.
    public var deadCriticalFraction = 0.9
    /// Saturation when this fraction of a bounded layer's outputs is within 1% of its
    /// bounds, sustained over the last half of the run. Default 0.5.
    public var saturatedFraction = 0.5
    /// Attention collapse when an attention layer's normalised attention entropy
    /// (``LayerStats/attentionEntropy``) is at or below this, sustained over the last half
    /// of the run (Zhai et al. 2023, attention entropy collapse). Default 0.1: each query
    /// then spreads its attention over about `n^0.1` of its `n` keys, 1.3 of 16, so almost
    /// every head looks at a single key.
    public var attentionEntropy = 0.1

    // MARK: Updates

    /// Small updates when a weight matrix's update/weight norm ratio is below this,
    /// sustained (Karpathy: about 1e-3 is healthy; DeepDiagnosis unchanged weight).
    /// Default 1e-5.
    public var smallUpdateRatio = 1e-5
    /// Large updates when the ratio is above this, sustained. Default 0.1.
    public var largeUpdateRatio = 0.1
    /// Large updates are critical above this ratio (each step rewrites the weights).
    /// Default 1.
    public var criticalUpdateRatio = 1.0

    // MARK: Learning rate

    /// A learning-rate jump when the learning rate grows by at least this factor from one
    /// step to the next. Default 10 (an order of magnitude).
    public var learningRateJump = 10.0

    // MARK: Causes

    /// How many steps after a finding ends another may still start and count as its
    /// consequence, as a fraction of the run (at least 20 steps). Default 0.05.
    public var consequenceGap = 0.05

    /// The defaults.
    public init() {}
}
