import GradCheckTensor

/// The `none` policy: leaves gradients alone, but still applies the non-finite rule and
/// reports the norm.
public struct NoClipper: GradientClipper {
    /// What to do with NaN and ±inf.
    public var nonFinite: NonFiniteRule

    /// Creates the policy. - Complexity: O(1).
    public init(nonFinite: NonFiniteRule = .error) {
        self.nonFinite = nonFinite
    }

    /// `none`.
    public var description: String { "none" }

    /// Applies the non-finite rule and measures the norm; never clips.
    ///
    /// - Complexity: O(n), two passes.
    /// - Throws: ``ClippingError`` for a non-finite gradient under ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: description) {
        case let .skip(t): return t
        case let .proceed(p): return p.unchanged
        }
    }
}
