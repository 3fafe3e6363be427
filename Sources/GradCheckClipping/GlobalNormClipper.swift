import GradCheckTensor

/// The `global_norm` policy: rescales all gradients together so that their global norm
/// is at most `c` (Keras `global_clipnorm`, PyTorch `torch.nn.utils.clip_grad_norm_`).
/// The direction of the whole gradient is kept.
public struct GlobalNormClipper: GradientClipper {
    /// The global norm bound `c` (≥ 0).
    public var maxNorm: Double
    /// ``ClipCompatibility/exact`` (scale by `c/‖g‖` only when `‖g‖ > c`) or
    /// ``ClipCompatibility/pytorch`` (always multiply by `clamp(c/(‖g‖ + 1e-6), max: 1)`).
    public var compatibility: ClipCompatibility
    /// What to do with NaN and ±inf.
    public var nonFinite: NonFiniteRule

    /// Creates the policy. - Complexity: O(1).
    public init(maxNorm: Double, compatibility: ClipCompatibility = .exact, nonFinite: NonFiniteRule = .error) {
        self.maxNorm = maxNorm
        self.compatibility = compatibility
        self.nonFinite = nonFinite
    }

    /// `global_norm:C`.
    public var description: String { "global_norm:\(NumberText.string(maxNorm))" }

    /// Rescales the set to global norm `c` when it is larger.
    ///
    /// - Complexity: O(n), three passes when it triggers, two otherwise.
    /// - Throws: ``ClippingError`` for `c` < 0 or NaN, or a non-finite gradient under
    ///   ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        try ClipPipeline.requireNonNegative(maxNorm, "max_norm", policy: description)
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: description) {
        case let .skip(t): return t
        case let .proceed(p):
            return ClipPipeline.clipToNorm(&gradients, threshold: maxNorm, prepared: p, compatibility: compatibility)
        }
    }

    /// PyTorch's clip coefficient, operation for operation in the scalar type:
    /// `clamp(reciprocal(totalNorm + 1e-6) * maxNorm, max: 1)` (Python's
    /// `max_norm / tensor` is `tensor.reciprocal() * max_norm`; the constants are rounded
    /// to `S` first). NaN stays NaN, as in `torch.clamp`.
    ///
    /// Given PyTorch's `total_norm`, multiplying each gradient element by this in `S`
    /// reproduces `clip_grad_norm_` bit for bit. - Complexity: O(1).
    public static func pytorchCoefficient<S: TensorScalar>(totalNorm: S, maxNorm: Double) -> S {
        let denominator = totalNorm + S(1e-6)
        let coefficient = (1 / denominator) * S(maxNorm)
        return coefficient > 1 ? 1 : coefficient
    }
}
