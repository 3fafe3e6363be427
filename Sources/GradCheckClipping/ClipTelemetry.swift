/// What a clipping policy did on one step.
///
/// Norms are Euclidean norms of the whole gradient set (all tensors concatenated),
/// computed in `Double` with exact power-of-two scaling, so they are finite and exact to
/// a few ulps even for Float gradients whose squares overflow Float. Under the
/// ``NonFiniteRule/zero`` rule, "raw" means the gradient after its non-finite elements
/// were zeroed: the telemetry describes the clipping, and ``action`` records the repair.
public struct ClipTelemetry: Sendable, Equatable {
    /// The global gradient norm before clipping (NaN or inf when a non-finite element
    /// was skipped over or propagated).
    public var normBefore: Double
    /// The global gradient norm after clipping; equal to ``normBefore`` when nothing
    /// changed.
    public var normAfter: Double
    /// Whether the policy's clipping condition fired on this step (for PyTorch-compatible
    /// global-norm clipping: whether the coefficient was not 1).
    public var triggered: Bool
    /// The fraction of gradient elements whose value changed, in [0, 1] (0 for an empty
    /// gradient set).
    public var clippedFraction: Double
    /// The cosine between the clipped and the raw gradient, as whole-set vectors: 1 when
    /// nothing changed, 1 up to rounding for the norm-scaling policies, below 1 when
    /// value or unit-wise clipping bent the direction, 0 when a non-zero gradient was
    /// clipped to zero, NaN when non-finite values were propagated into it.
    public var cosineToRaw: Double
    /// What the non-finite rule did; `nil` when every element was finite.
    public var action: NonFiniteAction?
    /// How many gradient elements were NaN or ±inf before the rule was applied.
    public var nonFiniteCount: Int

    /// Creates a record. - Complexity: O(1).
    public init(normBefore: Double, normAfter: Double, triggered: Bool, clippedFraction: Double,
                cosineToRaw: Double, action: NonFiniteAction? = nil, nonFiniteCount: Int = 0) {
        self.normBefore = normBefore
        self.normAfter = normAfter
        self.triggered = triggered
        self.clippedFraction = clippedFraction
        self.cosineToRaw = cosineToRaw
        self.action = action
        self.nonFiniteCount = nonFiniteCount
    }

    /// The record of a step on which nothing changed: norm after equals `norm`, cosine 1.
    /// - Complexity: O(1).
    public static func unchanged(norm: Double, action: NonFiniteAction? = nil, nonFiniteCount: Int = 0) -> ClipTelemetry {
        ClipTelemetry(normBefore: norm, normAfter: norm, triggered: false, clippedFraction: 0,
                      cosineToRaw: 1, action: action, nonFiniteCount: nonFiniteCount)
    }

    /// Whether the caller should skip the optimiser update
    /// (``NonFiniteAction/skippedStep``).
    public var skipsStep: Bool { action == .skippedStep }
}
