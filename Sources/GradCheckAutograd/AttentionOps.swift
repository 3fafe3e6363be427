import GradCheckTensor

/// The batched products of multi-head attention, on the layouts a dense projection gives.
///
/// A projected query, key or value is `[batch, T, heads · d]`: the `d` features of head `h`
/// are columns `h·d ..< (h+1)·d` (the layout of a Keras kernel `[features, heads, d]` read as
/// `[features, heads · d]`). Attention weights are `[batch, heads, Tq, Tk]`. Each product runs
/// one ``gemm(m:n:k:a:aRowStride:aColumnStride:b:bRowStride:bColumnStride:c:cRowStride:accumulate:)``
/// per sample and head on strided views, so no head is ever copied out.
extension Tape {
    /// Attention scores `s[b, h, i, j] = scale · Σ_d q[b, i, h, d] · k[b, j, h, d]`:
    /// `[batch, Tq, heads·d] × [batch, Tk, heads·d] → [batch, heads, Tq, Tk]`.
    ///
    /// VJP, per sample and head: `∂q = scale · G · K`, `∂k = scale · Gᵀ · Q`; each term only
    /// for an input that needs a gradient. JVP (bilinear): `scores(dq, k) + scores(q, dk)`.
    ///
    /// - Precondition: both inputs are rank 3 with equal batch and last axis, divisible by `heads`.
    /// - Complexity: O(batch · heads · Tq · Tk · d) forward and per VJP term.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func attentionScores(_ q: Variable<Scalar>, _ k: Variable<Scalar>, heads: Int, scale: Scalar) -> Variable<Scalar> {
        let qv = values[q.index], kv = values[k.index]
        precondition(qv.rank == 3 && kv.rank == 3 && qv.shape[0] == kv.shape[0] && qv.shape[2] == kv.shape[2]
                     && heads > 0 && qv.shape[2] % heads == 0, "attentionScores: \(qv.shape) and \(kv.shape), \(heads) heads")
        let batch = qv.shape[0], tq = qv.shape[1], tk = kv.shape[1], width = qv.shape[2], d = width / heads
        var y = [Scalar](repeating: 0, count: batch * heads * tq * tk)
        qv.scalars.withUnsafeBufferPointer { qs in
            kv.scalars.withUnsafeBufferPointer { ks in
                y.withUnsafeMutableBufferPointer { ys in
                    for b in 0..<batch {
                        for h in 0..<heads {
                            gemm(m: tq, n: tk, k: d,
                                 a: qs.baseAddress! + b * tq * width + h * d, aRowStride: width, aColumnStride: 1,
                                 b: ks.baseAddress! + b * tk * width + h * d, bRowStride: 1, bColumnStride: width,
                                 c: ys.baseAddress! + (b * heads + h) * tq * tk, cRowStride: tk, accumulate: false)
                        }
                    }
                    for i in 0..<ys.count { ys[i] *= scale }
                }
            }
        }
        let out = Tensor(unchecked: [batch, heads, tq, tk], scalars: y)
        let needQ = needsGradient(q), needK = needsGradient(k)
        return record(out, inputs: [q, k]) { g in
            var gs = g.scalars
            for i in 0..<gs.count { gs[i] *= scale }
            var dq: Tensor<Scalar>?, dk: Tensor<Scalar>?
            gs.withUnsafeBufferPointer { gp in
                if needQ {
                    var dqs = [Scalar](repeating: 0, count: qv.count)
                    kv.scalars.withUnsafeBufferPointer { ks in
                        dqs.withUnsafeMutableBufferPointer { c in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    gemm(m: tq, n: d, k: tk,
                                         a: gp.baseAddress! + (b * heads + h) * tq * tk, aRowStride: tk, aColumnStride: 1,
                                         b: ks.baseAddress! + b * tk * width + h * d, bRowStride: width, bColumnStride: 1,
                                         c: c.baseAddress! + b * tq * width + h * d, cRowStride: width, accumulate: false)
                                }
                            }
                        }
                    }
                    dq = Tensor(unchecked: qv.shape, scalars: dqs)
                }
                if needK {
                    var dks = [Scalar](repeating: 0, count: kv.count)
                    qv.scalars.withUnsafeBufferPointer { qs in
                        dks.withUnsafeMutableBufferPointer { c in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    gemm(m: tk, n: d, k: tq,
                                         a: gp.baseAddress! + (b * heads + h) * tq * tk, aRowStride: 1, aColumnStride: tk,
                                         b: qs.baseAddress! + b * tq * width + h * d, bRowStride: width, bColumnStride: 1,
                                         c: c.baseAddress! + b * tk * width + h * d, cRowStride: width, accumulate: false)
                                }
                            }
                        }
                    }
                    dk = Tensor(unchecked: kv.shape, scalars: dks)
                }
            }
            return [dq, dk]
        } jvp: { t in
            let scratch = Tape<Scalar>(recording: false)
            var terms: [Tensor<Scalar>?] = []
            if let dq = t[0] {
                terms.append(scratch.value(scratch.attentionScores(scratch.constant(dq), scratch.constant(kv), heads: heads, scale: scale)))
            }
            if let dk = t[1] {
                terms.append(scratch.value(scratch.attentionScores(scratch.constant(qv), scratch.constant(dk), heads: heads, scale: scale)))
            }
            return Self.sumTangents(terms, shape: out.shape)
        }
    }

    /// The attention-weighted values `o[b, i, h, e] = Σ_j p[b, h, i, j] · v[b, j, h, e]`:
    /// `[batch, heads, Tq, Tk] × [batch, Tk, heads·e] → [batch, Tq, heads·e]`.
    ///
    /// VJP, per sample and head: `∂p = G · Vᵀ`, `∂v = Pᵀ · G`; each term only for an input
    /// that needs a gradient. JVP (bilinear): `combine(dp, v) + combine(p, dv)`.
    ///
    /// - Precondition: `p` is rank 4 `[batch, heads, Tq, Tk]`, `v` rank 3 `[batch, Tk, heads · e]`.
    /// - Complexity: O(batch · heads · Tq · Tk · e) forward and per VJP term.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func attentionCombine(_ p: Variable<Scalar>, _ v: Variable<Scalar>, heads: Int) -> Variable<Scalar> {
        let pv = values[p.index], vv = values[v.index]
        precondition(pv.rank == 4 && vv.rank == 3 && pv.shape[0] == vv.shape[0] && pv.shape[1] == heads
                     && pv.shape[3] == vv.shape[1] && vv.shape[2] % heads == 0,
                     "attentionCombine: \(pv.shape) and \(vv.shape), \(heads) heads")
        let batch = pv.shape[0], tq = pv.shape[2], tk = pv.shape[3], width = vv.shape[2], e = width / heads
        var y = [Scalar](repeating: 0, count: batch * tq * width)
        pv.scalars.withUnsafeBufferPointer { ps in
            vv.scalars.withUnsafeBufferPointer { vs in
                y.withUnsafeMutableBufferPointer { ys in
                    for b in 0..<batch {
                        for h in 0..<heads {
                            gemm(m: tq, n: e, k: tk,
                                 a: ps.baseAddress! + (b * heads + h) * tq * tk, aRowStride: tk, aColumnStride: 1,
                                 b: vs.baseAddress! + b * tk * width + h * e, bRowStride: width, bColumnStride: 1,
                                 c: ys.baseAddress! + b * tq * width + h * e, cRowStride: width, accumulate: false)
                        }
                    }
                }
            }
        }
        let out = Tensor(unchecked: [batch, tq, width], scalars: y)
        let needP = needsGradient(p), needV = needsGradient(v)
        return record(out, inputs: [p, v]) { g in
            var dp: Tensor<Scalar>?, dv: Tensor<Scalar>?
            g.scalars.withUnsafeBufferPointer { gp in
                if needP {
                    var dps = [Scalar](repeating: 0, count: pv.count)
                    vv.scalars.withUnsafeBufferPointer { vs in
                        dps.withUnsafeMutableBufferPointer { c in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    gemm(m: tq, n: tk, k: e,
                                         a: gp.baseAddress! + b * tq * width + h * e, aRowStride: width, aColumnStride: 1,
                                         b: vs.baseAddress! + b * tk * width + h * e, bRowStride: 1, bColumnStride: width,
                                         c: c.baseAddress! + (b * heads + h) * tq * tk, cRowStride: tk, accumulate: false)
                                }
                            }
                        }
                    }
                    dp = Tensor(unchecked: pv.shape, scalars: dps)
                }
                if needV {
                    var dvs = [Scalar](repeating: 0, count: vv.count)
                    pv.scalars.withUnsafeBufferPointer { ps in
                        dvs.withUnsafeMutableBufferPointer { c in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    gemm(m: tk, n: e, k: tq,
                                         a: ps.baseAddress! + (b * heads + h) * tq * tk, aRowStride: 1, aColumnStride: tk,
                                         b: gp.baseAddress! + b * tq * width + h * e, bRowStride: width, bColumnStride: 1,
                                         c: c.baseAddress! + b * tk * width + h * e, cRowStride: width, accumulate: false)
                                }
                            }
                        }
                    }
                    dv = Tensor(unchecked: vv.shape, scalars: dvs)
                }
            }
            return [dp, dv]
        } jvp: { t in
            let scratch = Tape<Scalar>(recording: false)
            var terms: [Tensor<Scalar>?] = []
            if let dp = t[0] {
                terms.append(scratch.value(scratch.attentionCombine(scratch.constant(dp), scratch.constant(vv), heads: heads)))
            }
            if let dv = t[1] {
                terms.append(scratch.value(scratch.attentionCombine(scratch.constant(pv), scratch.constant(dv), heads: heads)))
            }
            return Self.sumTangents(terms, shape: out.shape)
        }
    }

    /// Attention scores with the disallowed positions set to `−∞`, so that a following
    /// ``softmax(_:)`` gives them probability exactly 0 (a masked position is not a kink:
    /// the function is constant in it).
    ///
    /// `allowed` covers the last two axes `[Tq, Tk]` row-major and is the same for every
    /// leading index (sample and head); a causal mask allows `j ≤ i`. Every row must allow
    /// at least one position, or its softmax is undefined.
    ///
    /// VJP and JVP: the gradient or tangent with the masked positions zeroed.
    ///
    /// - Precondition: `allowed.count` is the product of the last two axes.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func attentionMask(_ x: Variable<Scalar>, allowed: [Bool]) -> Variable<Scalar> {
        let xv = values[x.index]
        let block = allowed.count
        precondition(xv.rank >= 2 && xv.shape[xv.rank - 1] * xv.shape[xv.rank - 2] == block,
                     "attentionMask: a mask of \(block) for \(xv.shape)")
        func masked(_ t: Tensor<Scalar>, fill: Scalar) -> Tensor<Scalar> {
            var out = t
            out.scalars.withUnsafeMutableBufferPointer { o in
                var base = 0
                while base < o.count {
                    for j in 0..<block where !allowed[j] { o[base + j] = fill }
                    base += block
                }
            }
            return out
        }
        return record(masked(xv, fill: -.infinity), inputs: [x]) { g in [masked(g, fill: 0)] }
            jvp: { t in masked(t[0]!, fill: 0) }
    }
}
