import GradCheckTensor

extension Tape {
    /// Group normalisation (Keras `GroupNormalization`): the channels (last axis) of each
    /// sample are split into `groups` blocks of consecutive channels, and each block is
    /// normalised with the mean and biased variance over its channels and every position
    /// of the sample (all axes between the batch and the channels), then scaled and shifted
    /// per channel: `y = γ · (x − μ) / √(σ² + ε) + β`.
    ///
    /// VJP, per sample and group of `N` elements, with `x̂` normalised, `inv = 1/√(σ² + ε)`
    /// and `ĝ = g · γ`: `∂x = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))`, `∂γ = Σ g · x̂`,
    /// `∂β = Σ g` (over samples and positions). JVP:
    /// `dy = γ · inv · (dx − mean(dx) − x̂ · mean(x̂ · dx)) + dγ · x̂ + dβ`.
    ///
    /// - Parameters:
    ///   - gamma: the scale `[channels]`, or `nil` for 1.
    ///   - beta: the shift `[channels]`, or `nil` for 0.
    /// - Precondition: `x` has rank ≥ 2 and `groups ≥ 1` divides its channels.
    /// - Complexity: O(count), two passes.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func groupNormalization(
        _ x: Variable<Scalar>, groups: Int, gamma: Variable<Scalar>?, beta: Variable<Scalar>?, epsilon: Scalar
    ) -> Variable<Scalar> {
        let xv = values[x.index]
        let channels = xv.columnCount
        precondition(xv.rank >= 2 && groups >= 1 && channels % groups == 0, "groupNormalization: \(groups) groups of \(xv.shape)")
        let batch = xv.shape[0]
        let positions = batch == 0 ? 0 : xv.rowCount / batch
        let width = channels / groups
        let invN = 1 / Scalar(Swift.max(positions * width, 1))
        let gammaValue = gamma.map { values[$0.index].scalars } ?? [Scalar](repeating: 1, count: channels)
        let betaValue = beta.map { values[$0.index].scalars } ?? [Scalar](repeating: 0, count: channels)
        // Index of element (sample b, position p, channel c): (b · positions + p) · channels + c.
        var xhat = xv.scalars
        var inv = [Scalar](repeating: 0, count: batch * groups)
        var y = xv.scalars
        for b in 0..<batch {
            for grp in 0..<groups {
                var m: Scalar = 0
                for p in 0..<positions {
                    let base = (b * positions + p) * channels + grp * width
                    for c in 0..<width { m += xhat[base + c] }
                }
                m *= invN
                var v: Scalar = 0
                for p in 0..<positions {
                    let base = (b * positions + p) * channels + grp * width
                    for c in 0..<width { let d = xhat[base + c] - m; v += d * d }
                }
                let iv = 1 / (v * invN + epsilon).squareRoot()
                inv[b * groups + grp] = iv
                for p in 0..<positions {
                    let base = (b * positions + p) * channels + grp * width
                    for c in 0..<width {
                        let h = (xhat[base + c] - m) * iv
                        xhat[base + c] = h
                        y[base + c] = h * gammaValue[grp * width + c] + betaValue[grp * width + c]
                    }
                }
            }
        }
        let shape = xv.shape
        let needX = needsGradient(x)
        let needGamma = gamma.map { needsGradient($0) } ?? false
        let needBeta = beta.map { needsGradient($0) } ?? false
        let inputs = [x] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        /// `inv · (w − mean(w) − x̂ · mean(w · x̂))` per sample and group, for `w = ĝ` (VJP) or `γ`-free `dx` (JVP).
        func centred(_ w: [Scalar]) -> [Scalar] {
            var out = [Scalar](repeating: 0, count: w.count)
            for b in 0..<batch {
                for grp in 0..<groups {
                    var sumW: Scalar = 0, sumWX: Scalar = 0
                    for p in 0..<positions {
                        let base = (b * positions + p) * channels + grp * width
                        for c in 0..<width { sumW += w[base + c]; sumWX += w[base + c] * xhat[base + c] }
                    }
                    let iv = inv[b * groups + grp]
                    for p in 0..<positions {
                        let base = (b * positions + p) * channels + grp * width
                        for c in 0..<width {
                            out[base + c] = iv * (w[base + c] - sumW * invN - xhat[base + c] * sumWX * invN)
                        }
                    }
                }
            }
            return out
        }
        return record(Tensor(unchecked: shape, scalars: y), inputs: inputs) { g in
            let gs = g.scalars
            var out: [Tensor<Scalar>?] = [nil]
            if needX {
                var gh = gs
                for i in 0..<gh.count { gh[i] *= gammaValue[i % channels] }
                out[0] = Tensor(unchecked: shape, scalars: centred(gh))
            }
            if gamma != nil {
                if needGamma {
                    var dg = [Scalar](repeating: 0, count: channels)
                    for i in 0..<gs.count { dg[i % channels] += gs[i] * xhat[i] }
                    out.append(Tensor(unchecked: [channels], scalars: dg))
                } else {
                    out.append(nil)
                }
            }
            if beta != nil { out.append(needBeta ? g.sumRows() : nil) }
            return out
        } jvp: { t in
            var dy = [Scalar](repeating: 0, count: xv.count)
            if let dx = t[0]?.scalars {
                dy = centred(dx)
                for i in 0..<dy.count { dy[i] *= gammaValue[i % channels] }
            }
            var k = 1
            if gamma != nil {
                if let dg = t[k]?.scalars { for i in 0..<dy.count { dy[i] += dg[i % channels] * xhat[i] } }
                k += 1
            }
            if beta != nil, let db = t[k]?.scalars { for i in 0..<dy.count { dy[i] += db[i % channels] } }
            return Tensor(unchecked: shape, scalars: dy)
        }
    }
}
