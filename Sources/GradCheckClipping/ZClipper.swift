import GradCheckTensor

/// The `zclip` policy (Kumar et al. 2025, "ZClip: Adaptive Spike Mitigation for LLM
/// Pre-Training"): clip global-norm spikes detected by a z-score against exponential
/// moving averages of the norm's mean and variance.
///
/// Per recorded step with global norm `g`:
///
/// - **Warm-up**: the first `warmupSteps` norms are collected without clipping; after
///   the last of them, `μ` is their mean and `σ²` their population variance. With
///   `warmupSteps == 0` the first step initialises `μ = g`, `σ² = 0` and is not clipped.
/// - **Detection**: `z = (g − μ) / (σ + ε)` with ε = ``epsilon`` (1e-6, as in the
///   reference code). A spike is `z > zThreshold`; only upward spikes are clipped.
/// - **Clipping**: a spike is scaled to the norm given by ``strategy``: by default
///   `μ + z_thr·σ`. The target is below `g` because `g > μ + z_thr·(σ + ε)`.
/// - **Update**: `μ ← α·μ + (1 − α)·v`, then `σ² ← α·σ² + (1 − α)·(v − μ)²` with the
///   *updated* `μ` (the paper's equations), where `v` is the clipped norm on a spike and
///   `g` otherwise, so a spike does not inflate the statistics.
///
/// Edge choices: when the norms were constant through warm-up, `σ = 0` and any increase
/// larger than `z_thr·ε` is clipped back to `μ`. Steps skipped by the non-finite rule,
/// and non-finite norms under ``NonFiniteRule/propagate``, are neither clipped nor
/// recorded (a NaN would poison the averages for good). The reference implementation can
/// also clip to a fixed `max_grad_norm` during warm-up; this one does not clip during
/// warm-up.
public struct ZClipper: GradientClipper {
    /// The z-score above which a norm is a spike (2.5 in the paper).
    public var zThreshold: Double
    /// The EMA decay α in [0, 1) (0.97 in the paper).
    public var alpha: Double
    /// How many steps collect plain statistics before clipping starts (25 in the paper).
    public var warmupSteps: Int
    /// Where spikes are clipped to.
    public var strategy: ZClipStrategy
    /// ε in the z-score's denominator.
    public var epsilon: Double
    /// How a spike is rescaled: ``ClipCompatibility/pytorch`` uses `clip_grad_norm_`'s
    /// formula, as the reference code does.
    public var compatibility: ClipCompatibility
    /// What to do with NaN and ±inf.
    public var nonFinite: NonFiniteRule

    /// The norms collected during warm-up (emptied when it ends).
    public private(set) var warmupNorms: [Double] = []
    /// Whether warm-up has ended and ``mean``/``variance`` are in use.
    public private(set) var isWarmedUp = false
    /// The EMA of the global norm, μ.
    public private(set) var mean = 0.0
    /// The EMA of the variance, σ².
    public private(set) var variance = 0.0
    /// The z-score of the last recorded step after warm-up, `nil` before.
    public private(set) var lastZScore: Double?

    /// Creates the policy with fresh statistics. - Complexity: O(1).
    public init(zThreshold: Double = 2.5, alpha: Double = 0.97, warmupSteps: Int = 25,
                strategy: ZClipStrategy = .threshold, epsilon: Double = 1e-6,
                compatibility: ClipCompatibility = .exact, nonFinite: NonFiniteRule = .error) {
        self.zThreshold = zThreshold
        self.alpha = alpha
        self.warmupSteps = warmupSteps
        self.strategy = strategy
        self.epsilon = epsilon
        self.compatibility = compatibility
        self.nonFinite = nonFinite
    }

    /// `zclip` with the defaults, else `zclip:Z`, or `zclip:Z:ALPHA:WARMUP` when α or
    /// warm-up differ from 0.97 and 25.
    public var description: String {
        if alpha == 0.97 && warmupSteps == 25 {
            return zThreshold == 2.5 ? "zclip" : "zclip:\(NumberText.string(zThreshold))"
        }
        return "zclip:\(NumberText.string(zThreshold)):\(NumberText.string(alpha)):\(warmupSteps)"
    }

    /// Records the global norm and clips it when it is a spike.
    ///
    /// - Complexity: O(n), two passes (three when clipping).
    /// - Throws: ``ClippingError`` for zThreshold ≤ 0, α outside [0, 1), warmupSteps < 0,
    ///   ε < 0, or a non-finite gradient under ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        let policy = description
        guard zThreshold > 0, zThreshold.isFinite else {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: "z_threshold", value: zThreshold, requirement: "a finite number > 0"))
        }
        guard alpha >= 0, alpha < 1 else {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: "alpha", value: alpha, requirement: "in [0, 1)"))
        }
        guard warmupSteps >= 0 else {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: "warmup_steps", value: Double(warmupSteps), requirement: "≥ 0"))
        }
        guard epsilon >= 0, epsilon.isFinite else {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: "epsilon", value: epsilon, requirement: "a finite number ≥ 0"))
        }
        let p: PreparedGradients
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: policy) {
        case let .skip(t): return t
        case let .proceed(prepared): p = prepared
        }
        let g = p.norm
        guard g.isFinite else { return p.unchanged }
        guard isWarmedUp else {
            warmupNorms.append(g)
            if warmupNorms.count >= warmupSteps {
                let n = Double(warmupNorms.count)
                mean = warmupNorms.reduce(0, +) / n
                variance = warmupNorms.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
                warmupNorms = []
                isWarmedUp = true
            }
            return p.unchanged
        }
        let sigma = variance.squareRoot()
        let z = (g - mean) / (sigma + epsilon)
        lastZScore = z
        var telemetry = p.unchanged
        var recorded = g
        if z > zThreshold {
            let target: Double
            switch strategy {
            case .threshold: target = mean + zThreshold * sigma
            case .reciprocal: target = mean + (zThreshold * zThreshold / z) * sigma
            }
            telemetry = ClipPipeline.clipToNorm(&gradients, threshold: target, prepared: p, compatibility: compatibility)
            telemetry.triggered = true
            recorded = target
        }
        mean = alpha * mean + (1 - alpha) * recorded
        variance = alpha * variance + (1 - alpha) * (recorded - mean) * (recorded - mean)
        return telemetry
    }
}
