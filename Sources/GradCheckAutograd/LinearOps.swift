import GradCheckTensor

extension Tape {
    /// `x · w` on the last axis of `x` (`[…, k] × [k, n] → […, n]`).
    ///
    /// VJP: `∂x = g · wᵀ`, `∂w = xᵀ · g` (rows of all leading axes summed). Each term is
    /// computed only for an input that needs a gradient.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func matmul(_ x: Variable<Scalar>, _ w: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index], wv = values[w.index]
        let y = xv.matmul(wv)
        let needX = needsGradient(x), needW = needsGradient(w)
        return record(y, inputs: [x, w]) { g in
            [needX ? g.matmul(wv, transposeRHS: true) : nil,
             needW ? xv.transposedMatmul(g) : nil]
        } jvp: { t in
            // Bilinear: J·(dx, dw) = dx·w + x·dw.
            Self.sumTangents([t[0].map { $0.matmul(wv) }, t[1].map { xv.matmul($0) }], shape: y.shape)
        }
    }

    /// `x + b` with `b` (`[n]`) added to every row of `x` (`[…, n]`).
    ///
    /// VJP: `∂x = g`, `∂b = Σ_rows g`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func addBias(_ x: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        let y = values[x.index].addingRow(values[b.index])
        let n = y.columnCount
        return record(y, inputs: [x, b]) { g in [g, g.sumRows()] }
            jvp: { t in (t[0] ?? Tensor.zeros(y.shape)).addingRow(t[1] ?? Tensor.zeros([n])) }
    }
}
