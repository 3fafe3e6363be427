import GradCheckTensor

/// Slicing and stacking: column blocks of the last axis (the gates of a recurrent cell)
/// and time steps of the second axis (`[batch, timesteps, …]`).
///
/// Every op here is linear, so its JVP is the op itself applied to the tangents (on a
/// scratch tape that does not record; a `nil` tangent is zeros).
extension Tape {
    /// `op` applied to `tangents` (zeros of `shapes` where `nil`) on a non-recording tape:
    /// the JVP of a linear op.
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func linearTangent(
        _ tangents: [Tensor<Scalar>?], shapes: [[Int]], _ op: (Tape<Scalar>, [Variable<Scalar>]) -> Variable<Scalar>
    ) -> Tensor<Scalar> {
        let scratch = Tape<Scalar>(recording: false)
        let vs = zip(tangents, shapes).map { scratch.constant($0.0 ?? Tensor.zeros($0.1)) }
        return scratch.value(op(scratch, vs))
    }

    /// The columns `range` of the last axis: `[…, n] → […, range.count]`.
    ///
    /// VJP: `g` written into those columns of a zero tensor of the input's shape.
    ///
    /// - Precondition: `range` lies within `0..<n`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func columns(_ x: Variable<Scalar>, _ range: Range<Int>) -> Variable<Scalar> {
        let xv = values[x.index]
        let n = xv.columnCount, rows = xv.rowCount, k = range.count
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "columns: \(range) of \(xv.shape)")
        var outShape = xv.shape
        if outShape.isEmpty { outShape = [k] } else { outShape[outShape.count - 1] = k }
        let start = range.lowerBound
        let y = [Scalar](unsafeUninitializedCapacity: rows * k) { buf, count in
            xv.scalars.withUnsafeBufferPointer { xs in
                for r in 0..<rows {
                    for j in 0..<k { buf[r * k + j] = xs[r * n + start + j] }
                }
            }
            count = rows * k
        }
        let inShape = xv.shape
        return record(Tensor(unchecked: outShape, scalars: y), inputs: [x]) { g in
            var dx = [Scalar](repeating: 0, count: rows * n)
            g.scalars.withUnsafeBufferPointer { gs in
                dx.withUnsafeMutableBufferPointer { d in
                    for r in 0..<rows {
                        for j in 0..<k { d[r * n + start + j] = gs[r * k + j] }
                    }
                }
            }
            return [Tensor(unchecked: inShape, scalars: dx)]
        } jvp: { t in Self.linearTangent(t, shapes: [inShape]) { $0.columns($1[0], range) } }
    }

    /// The inputs side by side on the last axis: `[…, n₁], […, n₂], … → […, Σ nᵢ]`.
    ///
    /// VJP: each input gets its block of columns of `g`.
    ///
    /// - Precondition: the inputs agree on every axis but the last; at least one input.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func concatenateColumns(_ xs: [Variable<Scalar>]) -> Variable<Scalar> {
        precondition(!xs.isEmpty, "concatenateColumns: no inputs")
        let vs = xs.map { values[$0.index] }
        let widths = vs.map(\.columnCount)
        let total = widths.reduce(0, +)
        let rows = vs[0].rowCount
        for v in vs { precondition(v.rowCount == rows, "concatenateColumns: \(vs.map(\.shape))") }
        var y = [Scalar](repeating: 0, count: rows * total)
        var offset = 0
        var offsets: [Int] = []
        for (v, w) in zip(vs, widths) {
            offsets.append(offset)
            v.scalars.withUnsafeBufferPointer { s in
                y.withUnsafeMutableBufferPointer { o in
                    for r in 0..<rows {
                        for j in 0..<w { o[r * total + offset + j] = s[r * w + j] }
                    }
                }
            }
            offset += w
        }
        var outShape = vs[0].shape
        if outShape.isEmpty { outShape = [total] } else { outShape[outShape.count - 1] = total }
        let shapes = vs.map(\.shape)
        let needs = xs.map { needsGradient($0) }
        return record(Tensor(unchecked: outShape, scalars: y), inputs: xs) { g in
            var out: [Tensor<Scalar>?] = []
            for i in 0..<widths.count {
                guard needs[i] else { out.append(nil); continue }
                let w = widths[i], off = offsets[i]
                var d = [Scalar](repeating: 0, count: rows * w)
                g.scalars.withUnsafeBufferPointer { gs in
                    for r in 0..<rows {
                        for j in 0..<w { d[r * w + j] = gs[r * total + off + j] }
                    }
                }
                out.append(Tensor(unchecked: shapes[i], scalars: d))
            }
            return out
        } jvp: { t in Self.linearTangent(t, shapes: shapes) { $0.concatenateColumns($1) } }
    }

    /// Time step `t` of a sequence batch: `[batch, timesteps, rest…] → [batch, rest…]`.
    ///
    /// VJP: `g` written into step `t` of a zero tensor of the input's shape.
    ///
    /// - Precondition: the input has rank ≥ 2 and `0 ≤ t < timesteps`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func timeStep(_ x: Variable<Scalar>, _ t: Int) -> Variable<Scalar> {
        let xv = values[x.index]
        precondition(xv.rank >= 2 && t >= 0 && t < xv.shape[1], "timeStep: step \(t) of \(xv.shape)")
        let batch = xv.shape[0], steps = xv.shape[1]
        let per = xv.shape.dropFirst(2).reduce(1, *)
        let y = [Scalar](unsafeUninitializedCapacity: batch * per) { buf, count in
            xv.scalars.withUnsafeBufferPointer { xs in
                for b in 0..<batch {
                    let src = (b * steps + t) * per
                    for j in 0..<per { buf[b * per + j] = xs[src + j] }
                }
            }
            count = batch * per
        }
        let inShape = xv.shape
        return record(Tensor(unchecked: [batch] + xv.shape.dropFirst(2), scalars: y), inputs: [x]) { g in
            var dx = [Scalar](repeating: 0, count: batch * steps * per)
            g.scalars.withUnsafeBufferPointer { gs in
                dx.withUnsafeMutableBufferPointer { d in
                    for b in 0..<batch {
                        let dst = (b * steps + t) * per
                        for j in 0..<per { d[dst + j] = gs[b * per + j] }
                    }
                }
            }
            return [Tensor(unchecked: inShape, scalars: dx)]
        } jvp: { tangents in Self.linearTangent(tangents, shapes: [inShape]) { $0.timeStep($1[0], t) } }
    }

    /// The inputs as the time steps of a sequence batch: `T × [batch, rest…] → [batch, T, rest…]`.
    ///
    /// VJP: input `t` gets step `t` of `g`.
    ///
    /// - Precondition: at least one input; all of the same shape.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func stackTimeSteps(_ xs: [Variable<Scalar>]) -> Variable<Scalar> {
        precondition(!xs.isEmpty, "stackTimeSteps: no inputs")
        let vs = xs.map { values[$0.index] }
        let stepShape = vs[0].shape
        precondition(!stepShape.isEmpty, "stackTimeSteps: rank-0 steps")
        for v in vs { precondition(v.shape == stepShape, "stackTimeSteps: \(vs.map(\.shape))") }
        let batch = stepShape[0], steps = vs.count
        let per = batch == 0 ? 0 : vs[0].count / batch
        var y = [Scalar](repeating: 0, count: batch * steps * per)
        y.withUnsafeMutableBufferPointer { o in
            for (t, v) in vs.enumerated() {
                v.scalars.withUnsafeBufferPointer { s in
                    for b in 0..<batch {
                        let dst = (b * steps + t) * per
                        for j in 0..<per { o[dst + j] = s[b * per + j] }
                    }
                }
            }
        }
        let needs = xs.map { needsGradient($0) }
        return record(Tensor(unchecked: [batch, steps] + stepShape.dropFirst(), scalars: y), inputs: xs) { g in
            var out: [Tensor<Scalar>?] = []
            out.reserveCapacity(steps)
            g.scalars.withUnsafeBufferPointer { gs in
                for t in 0..<steps {
                    guard needs[t] else { out.append(nil); continue }
                    var d = [Scalar](repeating: 0, count: batch * per)
                    for b in 0..<batch {
                        let src = (b * steps + t) * per
                        for j in 0..<per { d[b * per + j] = gs[src + j] }
                    }
                    out.append(Tensor(unchecked: stepShape, scalars: d))
                }
            }
            return out
        } jvp: { t in Self.linearTangent(t, shapes: Array(repeating: stepShape, count: steps)) { $0.stackTimeSteps($1) } }
    }
}
