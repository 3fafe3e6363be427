import GradCheckTensor

extension Tape {
    /// Softmax over the last axis, by log-sum-exp (the row maximum is subtracted first).
    ///
    /// VJP: `∂x = y ⊙ (g − Σ_j g_j y_j)` per row.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func softmax(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let y = Self.softmaxRows(values[x.index])
        return record(y, inputs: [x]) { g in
            var out = g
            let n = y.columnCount
            out.scalars.withUnsafeMutableBufferPointer { o in
                y.scalars.withUnsafeBufferPointer { ys in
                    var base = 0
                    while base < o.count {
                        var dot: Scalar = 0
                        for j in 0..<n { dot += o[base + j] * ys[base + j] }
                        for j in 0..<n { o[base + j] = ys[base + j] * (o[base + j] - dot) }
                        base += n
                    }
                }
            }
            return [out]
        } jvp: { t in
            // dy_i = Σ_j (∂y_i/∂x_j) dx_j = y_i · (dx_i − Σ_j y_j dx_j) per row.
            let dx = t[0]!, n = y.columnCount
            var dy = dx
            for r in 0..<y.rowCount {
                var mean: Scalar = 0
                for j in 0..<n { mean += y.scalars[r * n + j] * dx.scalars[r * n + j] }
                for j in 0..<n { dy.scalars[r * n + j] = y.scalars[r * n + j] * (dx.scalars[r * n + j] - mean) }
            }
            return dy
        }
    }

    /// Log-softmax over the last axis: `x − logsumexp(x)`.
    ///
    /// VJP: `∂x = g − softmax(x) · Σ_j g_j` per row.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func logSoftmax(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        let lse = Self.logSumExpRows(xv)
        let n = xv.columnCount
        var y = xv
        y.scalars.withUnsafeMutableBufferPointer { o in
            for r in 0..<lse.count {
                for j in 0..<n { o[r * n + j] -= lse[r] }
            }
        }
        return record(y, inputs: [x]) { g in
            var out = g
            out.scalars.withUnsafeMutableBufferPointer { o in
                y.scalars.withUnsafeBufferPointer { ys in
                    var base = 0
                    while base < o.count {
                        var total: Scalar = 0
                        for j in 0..<n { total += o[base + j] }
                        for j in 0..<n { o[base + j] -= Scalar.exp(ys[base + j]) * total }
                        base += n
                    }
                }
            }
            return [out]
        } jvp: { t in
            // dy_i = dx_i − Σ_j softmax(x)_j dx_j per row.
            let dx = t[0]!
            var dy = dx
            for r in 0..<lse.count {
                var mean: Scalar = 0
                for j in 0..<n { mean += Scalar.exp(xv.scalars[r * n + j] - lse[r]) * dx.scalars[r * n + j] }
                for j in 0..<n { dy.scalars[r * n + j] -= mean }
            }
            return dy
        }
    }

    /// `log Σ_j exp(x_j)` of each row (last axis), stable for any magnitude.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public static func logSumExpRows(_ x: Tensor<Scalar>) -> [Scalar] {
        let n = x.columnCount
        let rows = x.rowCount
        var out = [Scalar](repeating: 0, count: rows)
        x.scalars.withUnsafeBufferPointer { xs in
            for r in 0..<rows {
                let row = UnsafeBufferPointer(rebasing: xs[(r * n)..<((r + 1) * n)])
                var m = -Scalar.infinity
                for v in row { m = Swift.max(m, v) }
                if !m.isFinite { out[r] = m.isNaN || m > 0 ? m : -.infinity; continue }
                var s: Scalar = 0
                for v in row { s += Scalar.exp(v - m) }
                out[r] = m + Scalar.log(s)
            }
        }
        return out
    }

    /// Softmax of each row (last axis), stable for any magnitude.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public static func softmaxRows(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let n = x.columnCount
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { o in
            var base = 0
            while base < o.count {
                var m = -Scalar.infinity
                for j in 0..<n { m = Swift.max(m, o[base + j]) }
                var s: Scalar = 0
                for j in 0..<n {
                    let e = Scalar.exp(o[base + j] - m)
                    o[base + j] = e
                    s += e
                }
                let inv = 1 / s
                for j in 0..<n { o[base + j] *= inv }
                base += n
            }
        }
        return y
    }
}
