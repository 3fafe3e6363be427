import GradCheckTensor

/// The `agc` policy: unit-wise adaptive gradient clipping (Brock et al. 2021, "High-
/// Performance Large-Scale Image Recognition Without Normalization", §4).
///
/// For every unit `i` of every parameter (see ``AGCUnitLayout``), with `W_i` its weights
/// and `G_i` its gradient:
///
///     max_i = λ · max(‖W_i‖, eps)
///     G_i ← G_i · max_i / ‖G_i‖    when ‖G_i‖ > max_i, else unchanged
///
/// so that no unit's step is large relative to its weights; `eps` keeps zero-initialised
/// units (biases) from being frozen. Each unit keeps its direction, the whole gradient in
/// general does not.
public struct AGCClipper: GradientClipper {
    /// The clipping factor λ (≥ 0; 0.01 in the paper for batch size 4096).
    public var clipping: Double
    /// The floor on a unit's weight norm (≥ 0; 1e-3 in the paper).
    public var eps: Double
    /// How tensors are split into units.
    public var layout: AGCUnitLayout
    /// What to do with NaN and ±inf in the gradients. Non-finite *weights* throw under
    /// ``NonFiniteRule/error``, skip the step under ``NonFiniteRule/skipStep``, and
    /// otherwise leave their units unclipped (reported as
    /// ``NonFiniteAction/propagated`` when the gradients were finite).
    public var nonFinite: NonFiniteRule

    /// Creates the policy. - Complexity: O(1).
    public init(clipping: Double = 0.01, eps: Double = 1e-3, layout: AGCUnitLayout = .lastAxis,
                nonFinite: NonFiniteRule = .error) {
        self.clipping = clipping
        self.eps = eps
        self.layout = layout
        self.nonFinite = nonFinite
    }

    /// `agc:λ`, or `agc:λ:eps` when eps is not the default 1e-3.
    public var description: String {
        "agc:\(NumberText.string(clipping))" + (eps == 1e-3 ? "" : ":\(NumberText.string(eps))")
    }

    /// Clips each unit's gradient to λ times its weight norm.
    ///
    /// - Complexity: O(n) over gradients and parameters, about five passes.
    /// - Throws: ``ClippingError`` when λ or eps is negative or not finite, when
    ///   `parameters` does not match `gradients` in count or shapes, for non-finite
    ///   gradients under ``NonFiniteRule/error``, and for non-finite weights under
    ///   ``NonFiniteRule/error``.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry {
        let policy = description
        for (name, value) in [("clipping", clipping), ("eps", eps)] where !(value >= 0 && value.isFinite) {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: name, value: value, requirement: "a finite number ≥ 0"))
        }
        guard parameters.count == gradients.count else {
            throw ClippingError(policy: policy, problem: .parameterCountMismatch(gradients: gradients.count, parameters: parameters.count))
        }
        for t in gradients.indices where gradients[t].shape != parameters[t].shape {
            throw ClippingError(policy: policy, problem: .shapeMismatch(gradient: gradients[t].shape, parameter: parameters[t].shape),
                                parameterIndex: t)
        }
        // Check the weights before touching the gradients, so that an error leaves them unchanged.
        let weightScans = parameters.map { w in w.scalars.withUnsafeBufferPointer { ClipKernels.scan($0) } }
        let badWeights = weightScans.contains { $0.nonFiniteCount > 0 }
        if badWeights, nonFinite == .error, let t = weightScans.firstIndex(where: { $0.nonFiniteCount > 0 }) {
            let scan = weightScans[t]
            throw ClippingError(policy: policy,
                                problem: .nonFiniteParameter(value: scan.firstValue ?? .nan, count: scan.nonFiniteCount),
                                parameterIndex: t,
                                elementIndex: scan.firstNonFinite.map { Tensor<S>.index(ofFlat: $0, shape: parameters[t].shape) })
        }
        var p: PreparedGradients
        switch try ClipPipeline.prepare(&gradients, rule: nonFinite, policy: policy) {
        case let .skip(t): return t
        case let .proceed(prepared): p = prepared
        }
        if badWeights {
            if nonFinite == .skipStep {
                return .unchanged(norm: p.norm, action: .skippedStep, nonFiniteCount: p.nonFiniteCount)
            }
            p.action = p.action ?? .propagated
        }
        // Unit factors for every tensor first (nil = untouched), so that the telemetry
        // scale (the largest clipped magnitude) is known before any tensor is rewritten.
        var plans: [(grouping: UnitGrouping, factors: [Double])?] = []
        var newMax = 0.0
        for t in gradients.indices {
            let grouping = UnitGrouping(shape: gradients[t].shape, layout: layout)
            guard grouping.units > 0 else {
                plans.append(nil)
                continue
            }
            let weightNorms = parameters[t].scalars.withUnsafeBufferPointer { Self.unitNorms($0, grouping).norms }
            let (gradientNorms, gradientMaxima) = gradients[t].scalars.withUnsafeBufferPointer { Self.unitNorms($0, grouping) }
            var factors = [Double](repeating: 1, count: grouping.units)
            var any = false
            for u in 0..<grouping.units {
                let w = weightNorms[u], g = gradientNorms[u]
                if w.isFinite, g.isFinite {
                    let limit = clipping * max(w, eps)
                    if g > limit {
                        factors[u] = limit / g
                        any = true
                    }
                }
                newMax = max(newMax, gradientMaxima[u] * factors[u])
            }
            plans.append(any ? (grouping, factors) : nil)
        }
        var stats = p.stats(newMax: newMax)
        for t in gradients.indices {
            if let plan = plans[t] {
                gradients[t].scalars.withUnsafeMutableBufferPointer {
                    ClipKernels.unitScale($0, grouping: plan.grouping, factors: plan.factors, into: &stats)
                }
            } else {
                gradients[t].scalars.withUnsafeBufferPointer { ClipKernels.accumulateUnchanged($0, into: &stats) }
            }
        }
        let triggered = plans.contains { $0 != nil }
        return ClipPipeline.telemetry(stats, prepared: p, triggered: triggered)
    }

    /// The Euclidean norm of each unit (NaN or inf for units with such elements), each
    /// scaled by its own power of two, and each unit's largest finite magnitude.
    /// - Complexity: O(n), two passes.
    static func unitNorms<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, _ grouping: UnitGrouping)
        -> (norms: [Double], maxima: [Double]) {
        let (maxima, states) = ClipKernels.unitMaxima(x, grouping: grouping)
        let inverses = maxima.map { ClipKernels.inverseScale(forMax: $0) }
        let sums = ClipKernels.unitSumsOfSquares(x, grouping: grouping, inverseScales: inverses)
        let norms = (0..<grouping.units).map { u -> Double in
            switch states[u] {
            case .nan: return .nan
            case .infinite: return .infinity
            case .finite: return sums[u].squareRoot() / inverses[u]
            }
        }
        return (norms, maxima)
    }
}
