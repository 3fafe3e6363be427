import GradCheckTensor

/// The one-pass kernels behind the monitor's numbers.
///
/// Norms accumulate squares in `Double` with eight partial sums (for `Float` input no
/// square can overflow or underflow there); a `Double` input whose squares overflow or
/// underflow is redone with the scaled two-pass norm of GradCheckTensor, so every norm is
/// overflow-safe and the common case reads each element once.
enum TensorStatistics {
    /// The L2 norm and the largest magnitude of some values.
    struct Norm: Equatable {
        /// `sqrt(sum(x²))`; NaN when any element is NaN, infinity when any is infinite.
        var norm: Double
        /// `max |x|`, with the same non-finite rules; 0 for no elements.
        var maxAbs: Double
    }

    /// The statistics of one layer's activations.
    struct Activations: Equatable {
        var mean: Double
        var std: Double
        var deadFraction: Double?
        var saturatedFraction: Double?
    }

    /// The fraction of `values` that are exactly zero (`-0.0` included); 0 for no elements.
    /// O(n), one pass.
    static func zeroFraction(of values: some MonitoredValues) -> Double {
        values.dispatch(float: { zeroFraction($0) }, double: { zeroFraction($0) }, other: { zeroFraction($0) })
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func zeroFraction<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> Double {
        guard !x.isEmpty else { return 0 }
        var zeros = 0
        for v in x where v == 0 { zeros += 1 }
        return Double(zeros) / Double(x.count)
    }

    /// The norm and max-abs of `values`.
    static func norm(of values: some MonitoredValues) -> Norm {
        values.dispatch(float: { norm($0) }, double: { norm($0) }, other: { norm($0) })
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func norm<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> Norm {
        let (squares, maxAbs) = squaresAndMaxAbs(x)
        if squares.isNaN { return Norm(norm: .nan, maxAbs: .nan) }
        if maxAbs.isInfinite { return Norm(norm: .infinity, maxAbs: .infinity) }
        if maxAbs == 0 { return Norm(norm: 0, maxAbs: 0) }
        // Only a Double input can get here with an overflowed or underflowed sum.
        if squares.isInfinite || maxAbs < 1e-150 {
            return Norm(norm: Double(_scaledNorm(x)), maxAbs: maxAbs)
        }
        return Norm(norm: squares.squareRoot(), maxAbs: maxAbs)
    }

    /// `sum(x²)` in `Double` and `max |x|`, in one pass; both NaN when an element is NaN.
    ///
    /// Eight independent partial sums and maxima keep the loop free of dependency
    /// stalls. The maximum is taken over the squares (`sqrt(x²) == |x|` exactly in binary
    /// floating point); when the squares overflow or underflow (only possible for `Double`
    /// input, or an infinite element) a second pass takes it over the magnitudes.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func squaresAndMaxAbs<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> (Double, Double) {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0
        var m0 = 0.0, m1 = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0, m5 = 0.0, m6 = 0.0, m7 = 0.0
        let n = x.count
        var i = 0
        while i + 8 <= n {
            let d0 = Double(x[i]), d1 = Double(x[i + 1]), d2 = Double(x[i + 2]), d3 = Double(x[i + 3])
            let d4 = Double(x[i + 4]), d5 = Double(x[i + 5]), d6 = Double(x[i + 6]), d7 = Double(x[i + 7])
            let q0 = d0 * d0, q1 = d1 * d1, q2 = d2 * d2, q3 = d3 * d3
            let q4 = d4 * d4, q5 = d5 * d5, q6 = d6 * d6, q7 = d7 * d7
            s0 += q0; s1 += q1; s2 += q2; s3 += q3; s4 += q4; s5 += q5; s6 += q6; s7 += q7
            m0 = q0 > m0 ? q0 : m0; m1 = q1 > m1 ? q1 : m1; m2 = q2 > m2 ? q2 : m2; m3 = q3 > m3 ? q3 : m3
            m4 = q4 > m4 ? q4 : m4; m5 = q5 > m5 ? q5 : m5; m6 = q6 > m6 ? q6 : m6; m7 = q7 > m7 ? q7 : m7
            i += 8
        }
        while i < n {
            let d = Double(x[i])
            let q = d * d
            s0 += q
            m0 = q > m0 ? q : m0
            i += 1
        }
        let squares = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        if squares.isNaN { return (.nan, .nan) }
        let maxSquare = Swift.max(Swift.max(Swift.max(m0, m1), Swift.max(m2, m3)), Swift.max(Swift.max(m4, m5), Swift.max(m6, m7)))
        // A Float's square is never below 1e-90, so only Double input can underflow here.
        if maxSquare.isFinite, maxSquare > 1e-290 || S.self == Float.self {
            return (squares, maxSquare.squareRoot())
        }
        var maxAbs = 0.0
        for v in x { maxAbs = Swift.max(maxAbs, Double(v.magnitude)) }
        return (squares, maxAbs)
    }

    /// The L2 norm of several norms, overflow-safe: `m · sqrt(sum((nᵢ/m)²))`, `m = max nᵢ`.
    static func combinedNorm<C: Collection>(_ norms: C) -> Double where C.Element == Double {
        var m = 0.0
        for v in norms {
            if v.isNaN { return .nan }
            m = Swift.max(m, v.magnitude)
        }
        if m == 0 || m.isInfinite { return m }
        var s = 0.0
        for v in norms {
            let t = v / m
            s += t * t
        }
        return m * s.squareRoot()
    }

    /// Mean, standard deviation, dead fraction and saturated fraction of a layer's
    /// activations, in one pass.
    ///
    /// - Parameters:
    ///   - units: the size of the last (unit) axis, rows being everything before it; 0 when
    ///     unknown (then no dead fraction).
    ///   - kind: which fractions apply: dead units for the ReLU family, saturation for
    ///     bounded activations.
    ///   - alive: scratch space of at least `units` bytes, reused between calls.
    static func activations(of values: some MonitoredValues, units: Int, kind: ActivationKind,
                            alive: inout [UInt8]) -> Activations {
        if alive.count < units { alive = [UInt8](repeating: 0, count: units) }
        return alive.withUnsafeMutableBufferPointer { scratch in
            values.dispatch(float: { activations($0, units: units, kind: kind, alive: scratch) },
                            double: { activations($0, units: units, kind: kind, alive: scratch) },
                            other: { activations($0, units: units, kind: kind, alive: scratch) })
        }
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func activations<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, units: Int, kind: ActivationKind,
                                             alive: UnsafeMutableBufferPointer<UInt8>) -> Activations {
        let n = x.count
        guard n > 0 else { return Activations(mean: .nan, std: .nan, deadFraction: nil, saturatedFraction: nil) }
        // Dead units need the unit axis; without it (a flat array and no declared width)
        // only the moments are computed.
        let u = units > 0 && n % units == 0 ? units : 0
        let rows = u > 0 ? n / u : 0
        let shift = Double(x[0])
        var sum = 0.0, squares = 0.0
        var saturated = 0
        switch kind {
        case .reluFamily where u > 0:
            for j in 0..<u { alive[j] = 0 }
            var base = 0
            for _ in 0..<rows {
                for j in 0..<u {
                    let v = x[base + j]
                    let d = Double(v) - shift
                    sum += d
                    squares += d * d
                    alive[j] |= v > 0 ? 1 : 0
                }
                base += u
            }
        case let .saturating(lower, upper):
            let tolerance = 0.01 * (upper - lower)
            let low = S(lower + tolerance), high = S(upper - tolerance)
            for i in 0..<n {
                let v = x[i]
                let d = Double(v) - shift
                sum += d
                squares += d * d
                saturated &+= (v <= low || v >= high) ? 1 : 0
            }
        case .reluFamily, .attention, .other:
            for i in 0..<n {
                let d = Double(x[i]) - shift
                sum += d
                squares += d * d
            }
        }
        let count = Double(n)
        let mean = shift + sum / count
        let variance = (squares - sum * sum / count) / count
        let std = variance.isNaN ? .nan : Swift.max(0, variance).squareRoot()
        var result = Activations(mean: mean, std: std, deadFraction: nil, saturatedFraction: nil)
        // Non-finite outputs are neither dead nor saturated: they are reported as such.
        guard sum.isFinite, squares.isFinite else {
            switch kind {
            case .reluFamily where u > 0: result.deadFraction = .nan
            case .saturating: result.saturatedFraction = .nan
            default: break
            }
            return result
        }
        switch kind {
        case .reluFamily where u > 0:
            var dead = 0
            for j in 0..<u where alive[j] == 0 { dead += 1 }
            result.deadFraction = Double(dead) / Double(u)
        case .saturating:
            result.saturatedFraction = Double(saturated) / count
        case .reluFamily, .attention, .other:
            break
        }
        return result
    }

    /// The normalised entropy of attention probabilities (``LayerStats/attentionEntropy``):
    /// the mean over query rows of `−Σ p·log p / log n`, where `n` is the row's number of
    /// visible keys (all `keys`, or `min(i + 1, keys)` for query `i` under a causal mask).
    /// Rows with one visible key carry no choice and are skipped; a zero probability adds
    /// nothing (`0·log 0 = 0`). O(n), one pass, one logarithm per positive probability.
    ///
    /// - Parameters:
    ///   - queries: the length of the query axis (the second-to-last), for the causal mask.
    ///   - keys: the length of the key axis (the last).
    /// - Returns: a value in `0...1`; NaN when a probability is NaN; `nil` when the shape
    ///   does not fit (`keys` does not divide the count) or no row has two visible keys.
    static func attentionEntropy(of values: some MonitoredValues, queries: Int, keys: Int, causal: Bool) -> Double? {
        values.dispatch(float: { attentionEntropy($0, queries: queries, keys: keys, causal: causal) },
                        double: { attentionEntropy($0, queries: queries, keys: keys, causal: causal) },
                        other: { attentionEntropy($0, queries: queries, keys: keys, causal: causal) })
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func attentionEntropy<S: TensorScalar>(_ p: UnsafeBufferPointer<S>, queries: Int, keys: Int,
                                                  causal: Bool) -> Double? {
        guard keys > 0, p.count % keys == 0 else { return nil }
        let rows = p.count / keys
        if causal, queries <= 0 || rows % queries != 0 { return nil }
        var total = 0.0, counted = 0
        var base = 0
        for r in 0..<rows {
            defer { base += keys }
            let visible = causal ? Swift.min(r % queries + 1, keys) : keys
            guard visible >= 2 else { continue }
            var h = 0.0
            for j in 0..<visible {
                let x = Double(p[base + j])
                if x > 0 { h -= x * Double.log(x) } else if x.isNaN { h = .nan }
            }
            total += h / Double.log(Double(visible))
            counted += 1
        }
        guard counted > 0 else { return nil }
        // Rounding can put a uniform row a few ulps past 1 or a one-hot row below 0.
        let mean = total / Double(counted)
        return mean.isNaN ? mean : Swift.min(1, Swift.max(0, mean))
    }
}
