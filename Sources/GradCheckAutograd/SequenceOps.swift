import GradCheckTensor

extension Tape {
    /// The time steps of a sequence batch in reverse order: `[batch, T, rest…]`, step `t`
    /// of the output is step `T − 1 − t` of the input (what the backward copy of a
    /// bidirectional recurrent layer reads).
    ///
    /// Linear and its own adjoint: the VJP reverses `g`, the JVP reverses the tangent.
    ///
    /// - Precondition: the input has rank ≥ 2.
    /// - Complexity: O(count).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func reverseTimeSteps(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        precondition(xv.rank >= 2, "reverseTimeSteps: \(xv.shape)")
        return record(Self.reversedSteps(xv), inputs: [x]) { g in [Self.reversedSteps(g)] }
            jvp: { t in Self.reversedSteps(t[0]!) }
    }

    /// `x` with its second axis reversed.
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func reversedSteps(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let batch = x.shape[0], steps = x.shape[1]
        let per = x.shape.dropFirst(2).reduce(1, *)
        var out = x.scalars
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<batch {
                    for t in 0..<steps {
                        let src = xs.baseAddress! + (b * steps + t) * per
                        (o.baseAddress! + (b * steps + steps - 1 - t) * per).update(from: src, count: per)
                    }
                }
            }
        }
        return Tensor(unchecked: x.shape, scalars: out)
    }
}
