import GradCheckTensor

/// The `autoclip` policy (Seetharaman et al. 2020, "AutoClip: Adaptive Gradient Clipping
/// for Source Separation Networks"): clip the global norm to the `p`-th percentile of all
/// global norms seen so far, the current one included.
///
/// The percentile is NumPy's default (linear interpolation between closest ranks), as in
/// the paper's code (`np.percentile(grad_history, clip_percentile)`). On the first step
/// the history is the current norm alone, so nothing is clipped; a step is clipped when
/// its norm is above the percentile, which for `p < 100` happens whenever it is a new
/// maximum of a history with distinct values. Steps skipped by the non-finite rule, and
/// non-finite norms under ``NonFiniteRule/propagate``, are not recorded.
public struct AutoClipper: GradientClipper {
    /// The percentile `p`, in (0, 100].
    public var percentile: Double
    /// How the set is rescaled to the threshold: ``ClipCompatibility/exact`` scales only
    /// when the norm is above it; ``ClipCompatibility/pytorch`` calls PyTorch's
    /// `clip_grad_norm_` formula every step, as the paper's code does.
    public var compatibility: ClipCompatibility
    /// What to do with NaN and ±inf.
    public var nonFinite: NonFiniteRule
    /// Every recorded global norm, ascending.
    public private(set) var history: [Double] = []
    /// The threshold used on the last recorded step, `nil` before the first.
    public private(set) var lastThreshold: Double?

    /// Creates the policy with an empty history. - Complexity: O(1).
    public init(percentile: Double = 10, compatibility: ClipCompatibility = .exact, nonFinite: NonFiniteRule = .error) {
        self.percentile = percentile
        self.compatibility = compatibility
        self.nonFinite = nonFinite
    }

    /// `autoclip:P`.
    public var description: String { "autoclip:\(NumberText.string(percentile))" }

    /// Records the global norm, then clips to the `p`-th percentile of the history.
    ///
    /// - Complexity: O(n + steps): the gradient passes plus one sorted insertion.
    /// - Throws: ``ClippingError`` for `p` outside (0, 100], or a non-finite gradient
    ///   under ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        guard percentile > 0, percentile <= 100 else {
            throw ClippingError(policy: description, problem: .invalidSetting(name: "percentile", value: percentile, requirement: "in (0, 100]"))
        }
        let p: PreparedGradients
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: description) {
        case let .skip(t): return t
        case let .proceed(prepared): p = prepared
        }
        guard p.norm.isFinite else { return p.unchanged }
        history.insert(p.norm, at: Self.insertionIndex(of: p.norm, in: history))
        let threshold = Self.percentile(percentile, ofSorted: history)
        lastThreshold = threshold
        return ClipPipeline.clipToNorm(&gradients, threshold: threshold, prepared: p, compatibility: compatibility)
    }

    /// The `p`-th percentile of ascending `sorted` values by NumPy's default `linear`
    /// method: rank `(n − 1)·p/100`, interpolated between its neighbours (as NumPy does:
    /// `a + (b − a)·t` for `t < 0.5`, `b − (b − a)·(1 − t)` otherwise). NaN for an empty
    /// list. - Complexity: O(1).
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        guard let first = sorted.first else { return .nan }
        let n = sorted.count
        if n == 1 { return first }
        let rank = Double(n - 1) * (p / 100)
        let below = min(max(Int(rank.rounded(.down)), 0), n - 1)
        let above = min(below + 1, n - 1)
        let t = rank - Double(below)
        let a = sorted[below], b = sorted[above]
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }

    /// Where `value` goes in ascending `sorted` (after equal values). - Complexity: O(log n).
    static func insertionIndex(of value: Double, in sorted: [Double]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
