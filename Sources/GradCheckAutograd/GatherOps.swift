import GradCheckTensor

extension Tape {
    /// An embedding lookup: each element of `ids` (integer-valued numbers, any shape
    /// `[batch, …]`) is replaced by its row of `table` `[vocabulary, dim]`, giving
    /// `ids.shape + [dim]`.
    ///
    /// The ids are indices, not differentiable values: no gradient flows to `ids`. An id
    /// that is not an integer in `0..<vocabulary` gives a row of NaN (the model checks the
    /// batch before any forward pass and reports such an id as an error).
    ///
    /// VJP: `∂table[v] = Σ` of the gradients of the positions whose id is `v` (a scatter-add).
    /// JVP: the lookup of the table's tangent (the ids' tangent is ignored; an invalid id's
    /// row has tangent 0).
    ///
    /// - Complexity: O(ids · dim).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func embeddingLookup(_ ids: Variable<Scalar>, _ table: Variable<Scalar>) -> Variable<Scalar> {
        let iv = values[ids.index], tv = values[table.index]
        let vocabulary = tv.shape[0], dim = tv.shape[1]
        let rows: [Int] = iv.scalars.map { v in
            guard v.isFinite, v == v.rounded(), v >= 0, v < Scalar(vocabulary) else { return -1 }
            return Int(v)
        }
        var y = [Scalar](repeating: 0, count: rows.count * dim)
        tv.scalars.withUnsafeBufferPointer { t in
            y.withUnsafeMutableBufferPointer { out in
                for (k, r) in rows.enumerated() {
                    if r < 0 {
                        for d in 0..<dim { out[k * dim + d] = .nan }
                    } else {
                        for d in 0..<dim { out[k * dim + d] = t[r * dim + d] }
                    }
                }
            }
        }
        let tableShape = tv.shape
        return record(Tensor(unchecked: iv.shape + [dim], scalars: y), inputs: [ids, table]) { g in
            var dt = [Scalar](repeating: 0, count: tableShape.reduce(1, *))
            g.scalars.withUnsafeBufferPointer { gs in
                for (k, r) in rows.enumerated() where r >= 0 {
                    for d in 0..<dim { dt[r * dim + d] += gs[k * dim + d] }
                }
            }
            return [nil, Tensor(unchecked: tableShape, scalars: dt)]
        } jvp: { t in
            var dy = [Scalar](repeating: 0, count: rows.count * dim)
            if let dt = t[1]?.scalars {
                for (k, r) in rows.enumerated() where r >= 0 {
                    for d in 0..<dim { dy[k * dim + d] = dt[r * dim + d] }
                }
            }
            return Tensor(unchecked: iv.shape + [dim], scalars: dy)
        }
    }
}
