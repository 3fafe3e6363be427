import GradCheckTensor

/// The `norm` policy: rescales each parameter's gradient separately to norm at most `c`
/// (Keras `clipnorm`, `g·c / max(‖g‖, c)`). Each tensor keeps its direction; the set as
/// a whole does not, when some tensors are scaled and others are not.
public struct NormClipper: GradientClipper {
    /// The per-tensor norm bound `c` (≥ 0).
    public var maxNorm: Double
    /// ``ClipCompatibility/exact``: scale a tensor by `c/‖g‖` only when `‖g‖ > c`.
    /// ``ClipCompatibility/pytorch``: apply `clip_grad_norm_(tensor, c)` to each tensor
    /// separately (how `clipnorm` is usually ported to PyTorch).
    public var compatibility: ClipCompatibility
    /// What to do with NaN and ±inf. Under ``NonFiniteRule/propagate`` in exact mode a
    /// tensor with a non-finite norm is left as it is.
    public var nonFinite: NonFiniteRule

    /// Creates the policy. - Complexity: O(1).
    public init(maxNorm: Double, compatibility: ClipCompatibility = .exact, nonFinite: NonFiniteRule = .error) {
        self.maxNorm = maxNorm
        self.compatibility = compatibility
        self.nonFinite = nonFinite
    }

    /// `norm:C`.
    public var description: String { "norm:\(NumberText.string(maxNorm))" }

    /// Rescales every tensor whose norm exceeds `c` to norm `c`.
    ///
    /// - Complexity: O(n), three passes.
    /// - Throws: ``ClippingError`` for `c` < 0 or NaN, or a non-finite gradient under
    ///   ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        try ClipPipeline.requireNonNegative(maxNorm, "max_norm", policy: description)
        let p: PreparedGradients
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: description) {
        case let .skip(t): return t
        case let .proceed(prepared): p = prepared
        }
        // Per-tensor factors first (1 = untouched), so that the telemetry scale is known.
        var factors = [Double](repeating: 1, count: gradients.count)
        var coefficients = [S](repeating: 1, count: gradients.count)
        for t in gradients.indices {
            let n = p.tensorNorms[t]
            switch compatibility {
            case .exact:
                if n.isFinite, n > maxNorm { factors[t] = maxNorm / n }
            case .pytorch:
                coefficients[t] = GlobalNormClipper.pytorchCoefficient(totalNorm: S(n), maxNorm: maxNorm)
                factors[t] = Double(coefficients[t])
            }
        }
        let triggered = factors.contains { $0 != 1 }
        let newMax = zip(p.tensorMaxAbs, factors).reduce(0.0) { max($0, $1.0 * ($1.1.isNaN ? 1 : $1.1)) }
        var stats = p.stats(newMax: newMax)
        for t in gradients.indices {
            if factors[t] == 1 {
                gradients[t].scalars.withUnsafeBufferPointer { ClipKernels.accumulateUnchanged($0, into: &stats) }
            } else if compatibility == .pytorch {
                let coefficient = coefficients[t]
                gradients[t].scalars.withUnsafeMutableBufferPointer {
                    ClipKernels.scaleInScalar($0, by: coefficient, into: &stats)
                }
            } else {
                let factor = factors[t]
                gradients[t].scalars.withUnsafeMutableBufferPointer { ClipKernels.scale($0, by: factor, into: &stats) }
            }
        }
        return ClipPipeline.telemetry(stats, prepared: p, triggered: triggered)
    }
}
