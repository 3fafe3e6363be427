import GradCheckTensor

/// The `value` policy: clamps every element to `[-c, c]` (Keras `clipvalue`, PyTorch
/// `clip_grad_value_`). It bounds each element and, when it triggers, generally changes
/// the gradient's direction.
public struct ValueClipper: GradientClipper {
    /// The bound `c` (≥ 0), converted to the gradients' scalar type before comparing.
    public var clipValue: Double
    /// What to do with NaN and ±inf. Under ``NonFiniteRule/propagate`` ±inf is clamped to
    /// ±c and NaN stays NaN, as PyTorch's `clamp` does.
    public var nonFinite: NonFiniteRule

    /// Creates the policy. - Complexity: O(1).
    public init(clipValue: Double, nonFinite: NonFiniteRule = .error) {
        self.clipValue = clipValue
        self.nonFinite = nonFinite
    }

    /// `value:C`.
    public var description: String { "value:\(NumberText.string(clipValue))" }

    /// Clamps every element to `[-c, c]`.
    ///
    /// - Complexity: O(n), three passes.
    /// - Throws: ``ClippingError`` for `c` < 0 or NaN, or a non-finite gradient under
    ///   ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        try ClipPipeline.requireNonNegative(clipValue, "clip_value", policy: description)
        let p: PreparedGradients
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: description) {
        case let .skip(t): return t
        case let .proceed(prepared): p = prepared
        }
        let bound = S(clipValue)
        var stats = p.stats(newMax: min(p.maxAbs, clipValue))
        for t in gradients.indices {
            // Only tensors with an element beyond the bound are written (no copy-on-write otherwise).
            let needs = gradients[t].scalars.withUnsafeBufferPointer { ClipKernels.anyBeyond($0, bound: bound) }
            if needs {
                gradients[t].scalars.withUnsafeMutableBufferPointer {
                    ClipKernels.clamp($0, bound: bound, into: &stats)
                }
            } else {
                gradients[t].scalars.withUnsafeBufferPointer {
                    ClipKernels.accumulateUnchanged($0, into: &stats)
                }
            }
        }
        return ClipPipeline.telemetry(stats, prepared: p, triggered: stats.changed > 0)
    }
}
