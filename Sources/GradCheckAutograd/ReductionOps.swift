import GradCheckTensor

extension Tape {
    /// The sum of all elements, as a rank-0 tensor; VJP broadcasts `g`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sum(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        let shape = xv.shape
        return record(Tensor(scalar: xv.sum()), inputs: [x]) { g in
            [Tensor(repeating: g.scalars[0], shape: shape)]
        } jvp: { t in Tensor(scalar: t[0]!.sum()) }
    }

    /// The mean of all elements, as a rank-0 tensor; VJP broadcasts `g / n`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func mean(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        let shape = xv.shape
        let n = Scalar(Swift.max(xv.count, 1))
        return record(Tensor(scalar: xv.sum() / n), inputs: [x]) { g in
            [Tensor(repeating: g.scalars[0] / n, shape: shape)]
        } jvp: { t in Tensor(scalar: t[0]!.sum() / n) }
    }

    /// Each sample's sum over its non-batch axes: `[B, …] → [B]`; VJP broadcasts each
    /// sample's `g` over its elements.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sumPerSample(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        let shape = xv.shape
        let per = shape.first.map { $0 == 0 ? 0 : xv.count / $0 } ?? 1
        return record(xv.sumPerSample(), inputs: [x]) { g in
            var out = [Scalar]()
            out.reserveCapacity(per * g.count)
            for v in g.scalars { out.append(contentsOf: repeatElement(v, count: per)) }
            return [Tensor(unchecked: shape, scalars: out)]
        } jvp: { t in t[0]!.sumPerSample() }
    }
}
