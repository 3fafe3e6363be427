import GradCheckTensor

/// The hot loops of the clipping policies, over raw buffers.
///
/// Every kernel is generic over the scalar and specialised for `Float` and `Double`, so
/// that the (generic, cross-module) `clip` entry points dispatch to specialised code.
/// All accumulation is in `Double`, after multiplying by an exact power of two
/// (``inverseScale(forMax:)``): the result is bit-identical to the unscaled sum whenever
/// that does not overflow, and 1e20 (Float) or 1e200 (Double) entries cannot overflow.
enum ClipKernels {
    /// The power of two `2^-e` that brings `maxAbs` near 1 (`e` clamped to ±1000 so that
    /// the factor itself is a normal number); 1 when `maxAbs` is 0 or not finite.
    ///
    /// Multiplying by it is exact, and squares of the scaled values stay far from both
    /// overflow and underflow. - Complexity: O(1).
    static func inverseScale(forMax maxAbs: Double) -> Double {
        guard maxAbs > 0, maxAbs.isFinite else { return 1 }
        let e = min(max(Int(maxAbs.exponent), -1000), 1000)
        return Double(sign: .plus, exponent: -e, significand: 1)
    }

    /// One pass over a tensor: its largest finite magnitude and where its non-finite
    /// elements are. - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func scan<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> TensorScan {
        var m: S = 0
        var nanCount = 0, infCount = 0
        var first = -1
        var firstValue: S = 0
        for i in 0..<x.count {
            let v = x[i]
            if v.isFinite {
                let a = abs(v)
                if a > m { m = a }
            } else {
                if v.isNaN { nanCount += 1 } else { infCount += 1 }
                if first < 0 {
                    first = i
                    firstValue = v
                }
            }
        }
        return TensorScan(maxAbs: Double(m), nanCount: nanCount, infinityCount: infCount,
                          firstNonFinite: first < 0 ? nil : first,
                          firstValue: first < 0 ? nil : NonFiniteValue(Double(firstValue)))
    }

    /// `Σ (x·inv)²` in `Double`, in four lanes summed per block of 256 elements (error
    /// about (64 + n/256)·ε relative). - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func sumOfSquares<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, inverseScale inv: Double) -> Double {
        var total = 0.0
        var start = 0
        let n = x.count
        while start < n {
            let end = min(start + 256, n)
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = start
            while i + 4 <= end {
                let a = Double(x[i]) * inv, b = Double(x[i + 1]) * inv
                let c = Double(x[i + 2]) * inv, d = Double(x[i + 3]) * inv
                s0 += a * a
                s1 += b * b
                s2 += c * c
                s3 += d * d
                i += 4
            }
            while i < end {
                let a = Double(x[i]) * inv
                s0 += a * a
                i += 1
            }
            total += (s0 + s1) + (s2 + s3)
            start = end
        }
        return total
    }

    /// 1 when `new` differs in value from `old` (NaN → NaN is no change, anything → NaN
    /// is), else 0; written without branches so that the loops stay branch-free.
    @inline(__always)
    static func differs<S: TensorScalar>(_ new: S, _ old: S) -> Int {
        (new != old ? 1 : 0) & (old == old ? 1 : 0)
    }

    /// Replaces every NaN and ±inf by +0 and returns how many were replaced.
    /// - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func zeroNonFinite<S: TensorScalar>(_ x: UnsafeMutableBufferPointer<S>) -> Int {
        var count = 0
        for i in 0..<x.count where !x[i].isFinite {
            x[i] = 0
            count += 1
        }
        return count
    }

    /// Adds an unchanged tensor to the running statistics. - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func accumulateUnchanged<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, into stats: inout ClipStats) {
        let p = stats.oldInverseScale, q = stats.newInverseScale
        var dot = 0.0, old = 0.0, new = 0.0
        for v in x {
            let a = Double(v) * p, b = Double(v) * q
            dot += a * b
            old += a * a
            new += b * b
        }
        stats.dot += dot
        stats.oldSquares += old
        stats.newSquares += new
    }

    /// Multiplies every element by `factor`, computing `x·factor` in `Double` and rounding
    /// once to the scalar type, and accumulates the statistics. - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func scale<S: TensorScalar>(_ x: UnsafeMutableBufferPointer<S>, by factor: Double,
                                       into stats: inout ClipStats) {
        let p = stats.oldInverseScale, q = stats.newInverseScale
        var dot = 0.0, old = 0.0, new = 0.0
        var changed = 0
        for i in 0..<x.count {
            let v = x[i]
            let w = S(Double(v) * factor)
            x[i] = w
            let a = Double(v) * p, b = Double(w) * q
            dot += a * b
            old += a * a
            new += b * b
            changed &+= Self.differs(w, v)
        }
        stats.dot += dot
        stats.oldSquares += old
        stats.newSquares += new
        stats.changed += changed
    }

    /// Multiplies every element by `factor` in the scalar type itself (`x * factor`, one
    /// rounding in `S`), as PyTorch's `_foreach_mul_` does, and accumulates the
    /// statistics. - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func scaleInScalar<S: TensorScalar>(_ x: UnsafeMutableBufferPointer<S>, by factor: S,
                                               into stats: inout ClipStats) {
        let p = stats.oldInverseScale, q = stats.newInverseScale
        var dot = 0.0, old = 0.0, new = 0.0
        var changed = 0
        for i in 0..<x.count {
            let v = x[i]
            let w = v * factor
            x[i] = w
            let a = Double(v) * p, b = Double(w) * q
            dot += a * b
            old += a * a
            new += b * b
            changed &+= Self.differs(w, v)
        }
        stats.dot += dot
        stats.oldSquares += old
        stats.newSquares += new
        stats.changed += changed
    }

    /// Whether some element lies outside `[-bound, bound]` (NaN does not).
    /// - Complexity: O(n), stops at the first such element.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func anyBeyond<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, bound: S) -> Bool {
        let low = -bound
        for v in x where v > bound || v < low { return true }
        return false
    }

    /// Clamps every element to `[-bound, bound]` (NaN stays NaN, ±inf becomes ±bound) and
    /// accumulates the statistics. - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func clamp<S: TensorScalar>(_ x: UnsafeMutableBufferPointer<S>, bound: S,
                                       into stats: inout ClipStats) {
        let p = stats.oldInverseScale, q = stats.newInverseScale
        var dot = 0.0, old = 0.0, new = 0.0
        var changed = 0
        let low = -bound
        for i in 0..<x.count {
            let v = x[i]
            let upper = v > bound ? bound : v
            let w = upper < low ? low : upper
            x[i] = w
            let a = Double(v) * p, b = Double(w) * q
            dot += a * b
            old += a * a
            new += b * b
            changed &+= Self.differs(w, v)
        }
        stats.dot += dot
        stats.oldSquares += old
        stats.newSquares += new
        stats.changed += changed
    }

    /// Per-unit largest finite magnitude and non-finite flags of a tensor laid out as
    /// `[outer, units, inner]` (see ``UnitGrouping``). - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func unitMaxima<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, grouping g: UnitGrouping)
        -> (maxAbs: [Double], state: [UnitState]) {
        var maxima = [S](repeating: 0, count: g.units)
        var state = [UnitState](repeating: .finite, count: g.units)
        maxima.withUnsafeMutableBufferPointer { m in
            state.withUnsafeMutableBufferPointer { st in
                func flag(_ v: S, _ u: Int) {
                    if v.isNaN { st[u] = .nan } else if st[u] != .nan { st[u] = .infinite }
                }
                if g.inner == 1 {
                    // Units along the last axis: sweep row by row.
                    var base = 0
                    for _ in 0..<g.outer {
                        for u in 0..<g.units {
                            let v = x[base + u]
                            if v.isFinite {
                                let a = abs(v)
                                m[u] = a > m[u] ? a : m[u]
                            } else {
                                flag(v, u)
                            }
                        }
                        base += g.units
                    }
                } else {
                    // Contiguous units: one sweep per unit and block.
                    var base = 0
                    for _ in 0..<g.outer {
                        for u in 0..<g.units {
                            var mu = m[u]
                            for i in base..<(base + g.inner) {
                                let v = x[i]
                                if v.isFinite {
                                    let a = abs(v)
                                    mu = a > mu ? a : mu
                                } else {
                                    flag(v, u)
                                }
                            }
                            m[u] = mu
                            base += g.inner
                        }
                    }
                }
            }
        }
        return (maxima.map { Double($0) }, state)
    }

    /// Per-unit `Σ (x·inv_u)²` with one exact power-of-two factor per unit.
    /// - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func unitSumsOfSquares<S: TensorScalar>(_ x: UnsafeBufferPointer<S>, grouping g: UnitGrouping,
                                                   inverseScales: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: g.units)
        sums.withUnsafeMutableBufferPointer { sum in
            inverseScales.withUnsafeBufferPointer { inverse in
                var base = 0
                if g.inner == 1 {
                    for _ in 0..<g.outer {
                        for u in 0..<g.units {
                            let a = Double(x[base + u]) * inverse[u]
                            sum[u] += a * a
                        }
                        base += g.units
                    }
                } else {
                    for _ in 0..<g.outer {
                        for u in 0..<g.units {
                            let inv = inverse[u]
                            var s = sum[u]
                            for i in base..<(base + g.inner) {
                                let a = Double(x[i]) * inv
                                s += a * a
                            }
                            sum[u] = s
                            base += g.inner
                        }
                    }
                }
            }
        }
        return sums
    }

    /// Multiplies each unit by its factor (`x·factor_u` in `Double`, rounded once; a
    /// factor of 1 leaves a finite value bit-for-bit) and accumulates the statistics.
    /// - Complexity: O(n).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    static func unitScale<S: TensorScalar>(_ x: UnsafeMutableBufferPointer<S>, grouping g: UnitGrouping,
                                           factors: [Double], into stats: inout ClipStats) {
        let p = stats.oldInverseScale, q = stats.newInverseScale
        var dot = 0.0, old = 0.0, new = 0.0
        var changed = 0
        factors.withUnsafeBufferPointer { factor in
            // Element i belongs to unit (i / inner) % units; walk the blocks in order.
            var i = 0
            for _ in 0..<g.outer {
                for u in 0..<g.units {
                    let f = factor[u]
                    let end = i + g.inner
                    while i < end {
                        let v = x[i]
                        let w = S(Double(v) * f)
                        x[i] = w
                        let a = Double(v) * p, b = Double(w) * q
                        dot += a * b
                        old += a * a
                        new += b * b
                        changed &+= Self.differs(w, v)
                        i += 1
                    }
                }
            }
        }
        stats.dot += dot
        stats.oldSquares += old
        stats.newSquares += new
        stats.changed += changed
    }
}
