import GradCheckTensor

/// Column statistics for batch normalisation.
extension Tensor {
    /// The mean and the biased variance (divided by `n`, not `n − 1`) of each column (last
    /// axis), over each of `groups` blocks of consecutive rows (all leading axes flattened).
    ///
    /// Entry `g · columns + c` of each result belongs to group `g`, column `c`. The variance
    /// is computed in two passes (`mean((x − μ)²)`), so it is never negative and does not
    /// cancel catastrophically for columns with a large mean.
    ///
    /// - Precondition: `groups ≥ 1` divides ``rowCount``.
    /// - Complexity: O(count), two passes.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func groupedColumnMoments(groups: Int) -> (mean: [Scalar], variance: [Scalar]) {
        let n = columnCount, rows = rowCount
        precondition(groups >= 1 && rows % groups == 0, "groupedColumnMoments: \(rows) rows in \(groups) groups")
        let per = rows / groups
        var mean = [Scalar](repeating: 0, count: groups * n)
        var variance = [Scalar](repeating: 0, count: groups * n)
        guard per > 0 else { return (mean, variance) }
        let inv = 1 / Scalar(per)
        scalars.withUnsafeBufferPointer { xs in
            mean.withUnsafeMutableBufferPointer { m in
                variance.withUnsafeMutableBufferPointer { v in
                    for g in 0..<groups {
                        let mg = m.baseAddress! + g * n, vg = v.baseAddress! + g * n
                        for r in (g * per)..<((g + 1) * per) {
                            let row = xs.baseAddress! + r * n
                            for c in 0..<n { mg[c] += row[c] }
                        }
                        for c in 0..<n { mg[c] *= inv }
                        for r in (g * per)..<((g + 1) * per) {
                            let row = xs.baseAddress! + r * n
                            for c in 0..<n {
                                let d = row[c] - mg[c]
                                vg[c] += d * d
                            }
                        }
                        for c in 0..<n { vg[c] *= inv }
                    }
                }
            }
        }
        return (mean, variance)
    }
}

extension Tape {
    /// Batch normalisation in training mode: each column (last axis) is normalised with the
    /// mean and the biased variance of its rows (every leading axis), then scaled and
    /// shifted: `y = γ · (x − μ) / √(σ² + ε) + β`.
    ///
    /// With `groups > 1` the rows form that many blocks of consecutive rows, each
    /// normalised with its own statistics (the verifier stacks several perturbed copies of
    /// a batch and each copy must be normalised like a batch of its own).
    ///
    /// VJP, per group of `N` rows and column, with `x̂` the normalised input, `inv = 1/√(σ² + ε)`
    /// and `ĝ = g · γ`:
    /// `∂x = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))`, `∂γ = Σ g · x̂`, `∂β = Σ g` (sums over
    /// all rows of all groups).
    ///
    /// - Parameters:
    ///   - gamma: the scale `[columns]`, or `nil` for 1.
    ///   - beta: the shift `[columns]`, or `nil` for 0.
    /// - Precondition: `groups ≥ 1` divides the number of rows.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func batchNormalization(
        _ x: Variable<Scalar>, gamma: Variable<Scalar>?, beta: Variable<Scalar>?, epsilon: Scalar, groups: Int = 1
    ) -> Variable<Scalar> {
        let xv = values[x.index]
        let n = xv.columnCount, rows = xv.rowCount
        let (mean, variance) = xv.groupedColumnMoments(groups: groups)
        let per = rows / groups
        let inv = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let gammaValue = gamma.map { values[$0.index].scalars } ?? [Scalar](repeating: 1, count: n)
        let betaValue = beta.map { values[$0.index].scalars } ?? [Scalar](repeating: 0, count: n)
        var xhat = xv.scalars
        var y = xv.scalars
        xhat.withUnsafeMutableBufferPointer { h in
            y.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    let g = r / per
                    for c in 0..<n {
                        let v = (h[r * n + c] - mean[g * n + c]) * inv[g * n + c]
                        h[r * n + c] = v
                        out[r * n + c] = v * gammaValue[c] + betaValue[c]
                    }
                }
            }
        }
        let shape = xv.shape
        let needX = needsGradient(x)
        let needGamma = gamma.map { needsGradient($0) } ?? false
        let needBeta = beta.map { needsGradient($0) } ?? false
        let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        return record(Tensor(unchecked: shape, scalars: y), inputs: inputs) { g in
            var out: [Tensor<Scalar>?] = []
            let gs = g.scalars
            if needX {
                var dx = [Scalar](repeating: 0, count: gs.count)
                var sumG = [Scalar](repeating: 0, count: n)
                var sumGX = [Scalar](repeating: 0, count: n)
                for grp in 0..<groups {
                    for c in 0..<n { sumG[c] = 0; sumGX[c] = 0 }
                    for r in (grp * per)..<((grp + 1) * per) {
                        for c in 0..<n {
                            let gh = gs[r * n + c] * gammaValue[c]
                            sumG[c] += gh
                            sumGX[c] += gh * xhat[r * n + c]
                        }
                    }
                    let invN = 1 / Scalar(per)
                    for r in (grp * per)..<((grp + 1) * per) {
                        for c in 0..<n {
                            let gh = gs[r * n + c] * gammaValue[c]
                            dx[r * n + c] = inv[grp * n + c]
                                * (gh - sumG[c] * invN - xhat[r * n + c] * sumGX[c] * invN)
                        }
                    }
                }
                out.append(Tensor(unchecked: shape, scalars: dx))
            } else {
                out.append(nil)
            }
            if gamma != nil {
                if needGamma {
                    var dg = [Scalar](repeating: 0, count: n)
                    for r in 0..<rows { for c in 0..<n { dg[c] += gs[r * n + c] * xhat[r * n + c] } }
                    out.append(Tensor(unchecked: [n], scalars: dg))
                } else {
                    out.append(nil)
                }
            }
            if beta != nil { out.append(needBeta ? g.sumRows() : nil) }
            return out
        } jvp: { t in
            // dx̂ = inv · (dx − mean(dx) − x̂ · mean(x̂ · dx)) per group and column;
            // dy = γ · dx̂ + dγ · x̂ + dβ.
            var dy = [Scalar](repeating: 0, count: rows * n)
            if let dx = t[0]?.scalars {
                var meanD = [Scalar](repeating: 0, count: n), meanXD = [Scalar](repeating: 0, count: n)
                let invN = 1 / Scalar(per)
                for grp in 0..<groups {
                    for c in 0..<n { meanD[c] = 0; meanXD[c] = 0 }
                    for r in (grp * per)..<((grp + 1) * per) {
                        for c in 0..<n {
                            meanD[c] += dx[r * n + c] * invN
                            meanXD[c] += xhat[r * n + c] * dx[r * n + c] * invN
                        }
                    }
                    for r in (grp * per)..<((grp + 1) * per) {
                        for c in 0..<n {
                            let dh = inv[grp * n + c] * (dx[r * n + c] - meanD[c] - xhat[r * n + c] * meanXD[c])
                            dy[r * n + c] = gammaValue[c] * dh
                        }
                    }
                }
            }
            var k = 1
            if gamma != nil {
                if let dg = t[k]?.scalars {
                    for r in 0..<rows { for c in 0..<n { dy[r * n + c] += dg[c] * xhat[r * n + c] } }
                }
                k += 1
            }
            if beta != nil, let db = t[k]?.scalars {
                for r in 0..<rows { for c in 0..<n { dy[r * n + c] += db[c] } }
            }
            return Tensor(unchecked: shape, scalars: dy)
        }
    }

    /// Normalisation with given statistics (batch normalisation at inference, with the
    /// moving mean and variance): `y = γ · (x − μ) / √(σ² + ε) + β` per column (last axis).
    ///
    /// VJP, with `inv = 1/√(σ² + ε)` and `x̂ = (x − μ) · inv`: `∂x = g · γ · inv`,
    /// `∂μ = −Σ g · γ · inv`, `∂σ² = −½ Σ g · γ · x̂ · inv²`, `∂γ = Σ g · x̂`, `∂β = Σ g`.
    ///
    /// - Parameters:
    ///   - mean: `μ`, `[columns]`.
    ///   - variance: `σ²`, `[columns]`.
    ///   - gamma: the scale, or `nil` for 1.
    ///   - beta: the shift, or `nil` for 0.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func normalize(
        _ x: Variable<Scalar>, mean: Variable<Scalar>, variance: Variable<Scalar>,
        gamma: Variable<Scalar>?, beta: Variable<Scalar>?, epsilon: Scalar
    ) -> Variable<Scalar> {
        let xv = values[x.index]
        let n = xv.columnCount, rows = xv.rowCount
        let mu = values[mean.index].scalars
        let inv = values[variance.index].scalars.map { 1 / ($0 + epsilon).squareRoot() }
        let gammaValue = gamma.map { values[$0.index].scalars } ?? [Scalar](repeating: 1, count: n)
        let betaValue = beta.map { values[$0.index].scalars } ?? [Scalar](repeating: 0, count: n)
        var xhat = xv.scalars
        var y = xv.scalars
        for r in 0..<rows {
            for c in 0..<n {
                let v = (xhat[r * n + c] - mu[c]) * inv[c]
                xhat[r * n + c] = v
                y[r * n + c] = v * gammaValue[c] + betaValue[c]
            }
        }
        let shape = xv.shape
        let inputs = [x, mean, variance] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        return record(Tensor(unchecked: shape, scalars: y), inputs: inputs) { g in
            let gs = g.scalars
            var dx = [Scalar](repeating: 0, count: gs.count)
            var dmu = [Scalar](repeating: 0, count: n)
            var dvar = [Scalar](repeating: 0, count: n)
            var dgamma = [Scalar](repeating: 0, count: n)
            for r in 0..<rows {
                for c in 0..<n {
                    let gv = gs[r * n + c]
                    let gh = gv * gammaValue[c]
                    dx[r * n + c] = gh * inv[c]
                    dmu[c] -= gh * inv[c]
                    dvar[c] -= gh * xhat[r * n + c] * inv[c] * inv[c] / 2
                    dgamma[c] += gv * xhat[r * n + c]
                }
            }
            var out: [Tensor<Scalar>?] = [Tensor(unchecked: shape, scalars: dx),
                                          Tensor(unchecked: [n], scalars: dmu),
                                          Tensor(unchecked: [n], scalars: dvar)]
            if gamma != nil { out.append(Tensor(unchecked: [n], scalars: dgamma)) }
            if beta != nil { out.append(g.sumRows()) }
            return out
        } jvp: { t in
            // dy = γ · inv · (dx − dμ) − ½ · γ · x̂ · inv² · dσ² + dγ · x̂ + dβ.
            let dx = t[0]?.scalars, dmu = t[1]?.scalars, dvar = t[2]?.scalars
            let dg = gamma == nil ? nil : t[3]?.scalars
            let db = beta == nil ? nil : t[gamma == nil ? 3 : 4]?.scalars
            var dy = [Scalar](repeating: 0, count: rows * n)
            for r in 0..<rows {
                for c in 0..<n {
                    let i = r * n + c
                    var d: Scalar = 0
                    if let dx { d += gammaValue[c] * inv[c] * dx[i] }
                    if let dmu { d -= gammaValue[c] * inv[c] * dmu[c] }
                    if let dvar { d -= gammaValue[c] * xhat[i] * inv[c] * inv[c] * dvar[c] / 2 }
                    if let dg { d += dg[c] * xhat[i] }
                    if let db { d += db[c] }
                    dy[i] = d
                }
            }
            return Tensor(unchecked: shape, scalars: dy)
        }
    }

    /// Layer normalisation: each row (last axis) is normalised with its own mean and biased
    /// variance, then scaled and shifted per column: `y = γ · (x − μ_row) / √(σ²_row + ε) + β`.
    ///
    /// VJP, per row of `C` columns, with `x̂` the normalised row, `inv = 1/√(σ² + ε)` and
    /// `ĝ = g · γ`: `∂x = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))`, `∂γ = Σ_rows g · x̂`,
    /// `∂β = Σ_rows g`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func layerNormalization(
        _ x: Variable<Scalar>, gamma: Variable<Scalar>?, beta: Variable<Scalar>?, epsilon: Scalar
    ) -> Variable<Scalar> {
        let xv = values[x.index]
        let n = xv.columnCount, rows = xv.rowCount
        let gammaValue = gamma.map { values[$0.index].scalars } ?? [Scalar](repeating: 1, count: n)
        let betaValue = beta.map { values[$0.index].scalars } ?? [Scalar](repeating: 0, count: n)
        var xhat = xv.scalars
        var y = xv.scalars
        var inv = [Scalar](repeating: 0, count: rows)
        let invN = 1 / Scalar(Swift.max(n, 1))
        xhat.withUnsafeMutableBufferPointer { xh in
            y.withUnsafeMutableBufferPointer { ys in
                gammaValue.withUnsafeBufferPointer { gv in
                    betaValue.withUnsafeBufferPointer { bv in
                        for r in 0..<rows {
                            let row = xh.baseAddress! + r * n, out = ys.baseAddress! + r * n
                            var m: Scalar = 0
                            for c in 0..<n { m += row[c] }
                            m *= invN
                            var v: Scalar = 0
                            for c in 0..<n {
                                let d = row[c] - m
                                v += d * d
                            }
                            v *= invN
                            let s = 1 / (v + epsilon).squareRoot()
                            inv[r] = s
                            for c in 0..<n {
                                let h = (row[c] - m) * s
                                row[c] = h
                                out[c] = h * gv[c] + bv[c]
                            }
                        }
                    }
                }
            }
        }
        let shape = xv.shape
        let needX = needsGradient(x)
        let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        return record(Tensor(unchecked: shape, scalars: y), inputs: inputs) { g in
            let gs = g.scalars
            var out: [Tensor<Scalar>?] = []
            if needX {
                var dx = [Scalar](repeating: 0, count: gs.count)
                for r in 0..<rows {
                    var sumG: Scalar = 0, sumGX: Scalar = 0
                    for c in 0..<n {
                        let gh = gs[r * n + c] * gammaValue[c]
                        sumG += gh
                        sumGX += gh * xhat[r * n + c]
                    }
                    for c in 0..<n {
                        let gh = gs[r * n + c] * gammaValue[c]
                        dx[r * n + c] = inv[r] * (gh - sumG * invN - xhat[r * n + c] * sumGX * invN)
                    }
                }
                out.append(Tensor(unchecked: shape, scalars: dx))
            } else {
                out.append(nil)
            }
            if gamma != nil {
                var dg = [Scalar](repeating: 0, count: n)
                for r in 0..<rows { for c in 0..<n { dg[c] += gs[r * n + c] * xhat[r * n + c] } }
                out.append(Tensor(unchecked: [n], scalars: dg))
            }
            if beta != nil { out.append(g.sumRows()) }
            return out
        } jvp: { t in
            // dx̂ = inv · (dx − mean_c(dx) − x̂ · mean_c(x̂ · dx)) per row;
            // dy = γ · dx̂ + dγ · x̂ + dβ.
            var dy = [Scalar](repeating: 0, count: rows * n)
            if let dx = t[0]?.scalars {
                for r in 0..<rows {
                    var meanD: Scalar = 0, meanXD: Scalar = 0
                    for c in 0..<n {
                        meanD += dx[r * n + c] * invN
                        meanXD += xhat[r * n + c] * dx[r * n + c] * invN
                    }
                    for c in 0..<n {
                        dy[r * n + c] = gammaValue[c] * inv[r] * (dx[r * n + c] - meanD - xhat[r * n + c] * meanXD)
                    }
                }
            }
            var k = 1
            if gamma != nil {
                if let dg = t[k]?.scalars {
                    for r in 0..<rows { for c in 0..<n { dy[r * n + c] += dg[c] * xhat[r * n + c] } }
                }
                k += 1
            }
            if beta != nil, let db = t[k]?.scalars {
                for r in 0..<rows { for c in 0..<n { dy[r * n + c] += db[c] } }
            }
            return Tensor(unchecked: shape, scalars: dy)
        }
    }
}
