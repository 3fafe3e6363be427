import GradCheckTensor

/// The steps every policy shares: applying the non-finite rule, computing norms
/// overflow-safely, rescaling to a norm threshold, and turning the running sums into
/// ``ClipTelemetry``.
enum ClipPipeline {
    /// Scans the gradients, applies `rule`, and computes per-tensor and global norms.
    ///
    /// - Complexity: O(n) over all elements, two passes (three for tensors `zero` repairs).
    /// - Throws: ``ClippingError/Problem/nonFiniteGradient(value:count:)`` under
    ///   ``NonFiniteRule/error``, naming the first tensor with a non-finite element.
    static func prepare<S: TensorScalar>(_ gradients: inout [Tensor<S>], rule: NonFiniteRule,
                                         policy: String) throws(ClippingError) -> Preparation {
        var scans = gradients.map { g in g.scalars.withUnsafeBufferPointer { ClipKernels.scan($0) } }
        let nonFinite = scans.reduce(0) { $0 + $1.nonFiniteCount }
        var action: NonFiniteAction?
        if nonFinite > 0 {
            switch rule {
            case .error:
                for (t, scan) in scans.enumerated() where scan.nonFiniteCount > 0 {
                    throw ClippingError(policy: policy,
                                        problem: .nonFiniteGradient(value: scan.firstValue ?? .nan, count: scan.nonFiniteCount),
                                        parameterIndex: t,
                                        elementIndex: scan.firstNonFinite.map { Tensor<S>.index(ofFlat: $0, shape: gradients[t].shape) })
                }
            case .skipStep:
                let norm: Double = scans.contains { $0.nanCount > 0 } ? .nan : .infinity
                return .skip(.unchanged(norm: norm, action: .skippedStep, nonFiniteCount: nonFinite))
            case .zero:
                for t in scans.indices where scans[t].nonFiniteCount > 0 {
                    _ = gradients[t].scalars.withUnsafeMutableBufferPointer { ClipKernels.zeroNonFinite($0) }
                    scans[t].nanCount = 0
                    scans[t].infinityCount = 0
                }
                action = .zeroed
            case .propagate:
                action = .propagated
            }
        }
        var tensorNorms = [Double](repeating: 0, count: gradients.count)
        for t in gradients.indices {
            let scan = scans[t]
            if scan.nanCount > 0 {
                tensorNorms[t] = .nan
            } else if scan.infinityCount > 0 {
                tensorNorms[t] = .infinity
            } else {
                tensorNorms[t] = gradients[t].scalars.withUnsafeBufferPointer { tensorNorm($0, maxAbs: scan.maxAbs) }
            }
        }
        let maxima = scans.map(\.maxAbs)
        return .proceed(PreparedGradients(
            tensorNorms: tensorNorms, norm: combinedNorm(tensorNorms),
            tensorMaxAbs: maxima, maxAbs: maxima.max() ?? 0, action: action,
            nonFiniteCount: nonFinite, elementCount: gradients.reduce(0) { $0 + $1.count }))
    }

    /// The Euclidean norm of a finite buffer whose largest magnitude is `maxAbs`.
    /// - Complexity: O(n).
    static func tensorNorm<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, maxAbs: Double) -> Double {
        guard maxAbs > 0 else { return 0 }
        let inv = ClipKernels.inverseScale(forMax: maxAbs)
        return ClipKernels.sumOfSquares(x, inverseScale: inv).squareRoot() / inv
    }

    /// The norm of a list of norms (NaN if any is NaN, inf if any is inf), scaled by an
    /// exact power of two. - Complexity: O(count).
    static func combinedNorm(_ norms: [Double]) -> Double {
        var m = 0.0
        var sawInfinity = false
        for n in norms {
            if n.isNaN { return .nan }
            if n.isInfinite { sawInfinity = true } else { m = max(m, n) }
        }
        if sawInfinity { return .infinity }
        guard m > 0 else { return 0 }
        let inv = ClipKernels.inverseScale(forMax: m)
        var s = 0.0
        for n in norms {
            let a = n * inv
            s += a * a
        }
        return s.squareRoot() / inv
    }

    /// The telemetry of a step from the running sums. - Complexity: O(1).
    static func telemetry(_ stats: ClipStats, prepared p: PreparedGradients, triggered: Bool) -> ClipTelemetry {
        guard stats.changed > 0 else {
            var t = p.unchanged
            t.triggered = triggered
            return t
        }
        let after = stats.newSquares.squareRoot() / stats.newInverseScale
        var cosine: Double
        if stats.newSquares == 0 {
            cosine = stats.oldSquares == 0 ? 1 : 0
        } else {
            cosine = stats.dot / (stats.oldSquares.squareRoot() * stats.newSquares.squareRoot())
            if cosine > 1 { cosine = 1 } else if cosine < -1 { cosine = -1 }
        }
        let fraction = p.elementCount == 0 ? 0 : Double(stats.changed) / Double(p.elementCount)
        return ClipTelemetry(normBefore: p.norm, normAfter: after, triggered: triggered,
                             clippedFraction: fraction, cosineToRaw: cosine,
                             action: p.action, nonFiniteCount: p.nonFiniteCount)
    }

    /// Rescales the whole set so that its norm is at most `threshold`, in the arithmetic
    /// `compatibility` names. - Complexity: O(n), one pass when it triggers.
    static func clipToNorm<S: TensorScalar>(_ gradients: inout [Tensor<S>], threshold: Double,
                                            prepared p: PreparedGradients,
                                            compatibility: ClipCompatibility) -> ClipTelemetry {
        switch compatibility {
        case .exact:
            guard p.norm.isFinite, p.norm > threshold else { return p.unchanged }
            let factor = threshold / p.norm
            var stats = p.stats(newMax: p.maxAbs * factor)
            for t in gradients.indices {
                gradients[t].scalars.withUnsafeMutableBufferPointer {
                    ClipKernels.scale($0, by: factor, into: &stats)
                }
            }
            return telemetry(stats, prepared: p, triggered: true)
        case .pytorch:
            let total = pytorchTotalNorm(p.tensorNorms, as: S.self)
            let coefficient = GlobalNormClipper.pytorchCoefficient(totalNorm: total, maxNorm: threshold)
            guard coefficient != 1 else { return p.unchanged }
            var stats = p.stats(newMax: p.maxAbs * Double(coefficient))
            for t in gradients.indices {
                gradients[t].scalars.withUnsafeMutableBufferPointer {
                    ClipKernels.scaleInScalar($0, by: coefficient, into: &stats)
                }
            }
            return telemetry(stats, prepared: p, triggered: true)
        }
    }

    /// PyTorch's total norm in the scalar type: each tensor's norm rounded to `S`, then
    /// the norm of those, rounded to `S` (`vector_norm(stack(norms))`).
    /// - Complexity: O(count).
    static func pytorchTotalNorm<S: TensorScalar>(_ tensorNorms: [Double], as _: S.Type) -> S {
        S(combinedNorm(tensorNorms.map { Double(S($0)) }))
    }

    /// Checks that a threshold is a number ≥ 0 (+inf allowed: it never clips).
    /// - Throws: ``ClippingError/Problem/invalidSetting(name:value:requirement:)``.
    static func requireNonNegative(_ value: Double, _ name: String, policy: String) throws(ClippingError) {
        guard value >= 0 else {
            throw ClippingError(policy: policy, problem: .invalidSetting(name: name, value: value, requirement: "a number ≥ 0"))
        }
    }
}
