import GradCheckTensor

extension Tape {
    /// Root-mean-square normalisation over the last axis (Keras `RMSNormalization`):
    /// `y = x · r · s` with `r = 1/√(mean(x²) + ε)` per row and the scale `s` per column.
    ///
    /// VJP, per row of `C` columns, with `ĝ = g · s`: `∂x = r · ĝ − r³ · x · mean(ĝ · x)`,
    /// `∂s = Σ_rows g · x · r`. JVP: `dy = s · (r · dx − r³ · x · mean(x · dx)) + ds · x · r`.
    ///
    /// - Parameters:
    ///   - scale: `s`, `[columns]`, or `nil` for 1.
    ///   - epsilon: added to the mean square (> 0, so a zero row stays finite).
    /// - Complexity: O(count), two passes.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func rmsNormalization(_ x: Variable<Scalar>, scale: Variable<Scalar>?, epsilon: Scalar) -> Variable<Scalar> {
        let xv = values[x.index]
        let n = xv.columnCount, rows = xv.rowCount
        let s = scale.map { values[$0.index].scalars } ?? [Scalar](repeating: 1, count: n)
        let invN = 1 / Scalar(Swift.max(n, 1))
        var r = [Scalar](repeating: 0, count: rows)
        var y = xv.scalars
        xv.scalars.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                for row in 0..<rows {
                    var ms: Scalar = 0
                    for c in 0..<n { ms += xs[row * n + c] * xs[row * n + c] }
                    let inv = 1 / (ms * invN + epsilon).squareRoot()
                    r[row] = inv
                    for c in 0..<n { ys[row * n + c] = xs[row * n + c] * inv * s[c] }
                }
            }
        }
        let shape = xv.shape
        let needX = needsGradient(x)
        let needS = scale.map { needsGradient($0) } ?? false
        let inputs = [x] + (scale.map { [$0] } ?? [])
        return record(Tensor(unchecked: shape, scalars: y), inputs: inputs) { g in
            let gs = g.scalars, xs = xv.scalars
            var out: [Tensor<Scalar>?] = [nil]
            if needX {
                var dx = [Scalar](repeating: 0, count: gs.count)
                for row in 0..<rows {
                    var dot: Scalar = 0
                    for c in 0..<n { dot += gs[row * n + c] * s[c] * xs[row * n + c] }
                    let ri = r[row], k = ri * ri * ri * dot * invN
                    for c in 0..<n { dx[row * n + c] = ri * gs[row * n + c] * s[c] - k * xs[row * n + c] }
                }
                out[0] = Tensor(unchecked: shape, scalars: dx)
            }
            if scale != nil {
                if needS {
                    var ds = [Scalar](repeating: 0, count: n)
                    for row in 0..<rows { for c in 0..<n { ds[c] += gs[row * n + c] * xs[row * n + c] * r[row] } }
                    out.append(Tensor(unchecked: [n], scalars: ds))
                } else {
                    out.append(nil)
                }
            }
            return out
        } jvp: { t in
            let xs = xv.scalars
            var dy = [Scalar](repeating: 0, count: rows * n)
            if let dx = t[0]?.scalars {
                for row in 0..<rows {
                    var dot: Scalar = 0
                    for c in 0..<n { dot += xs[row * n + c] * dx[row * n + c] }
                    let ri = r[row], k = ri * ri * ri * dot * invN
                    for c in 0..<n { dy[row * n + c] = s[c] * (ri * dx[row * n + c] - k * xs[row * n + c]) }
                }
            }
            if scale != nil, let ds = t[1]?.scalars {
                for row in 0..<rows { for c in 0..<n { dy[row * n + c] += ds[c] * xs[row * n + c] * r[row] } }
            }
            return Tensor(unchecked: shape, scalars: dy)
        }
    }
}
