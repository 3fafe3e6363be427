import GradCheckTensor

extension Tape {
    /// `f(x)` elementwise; VJP `g ⊙ f'(x)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func apply(_ f: UnaryFunction, _ x: Variable<Scalar>) -> Variable<Scalar> {
        if case .identity = f { return x }
        let xv = values[x.index]
        let y = f.apply(xv)
        return record(y, inputs: [x]) { g in [f.pullback(x: xv, y: y, upstream: g)] }
            jvp: { t in f.tangent(x: xv, y: y, tangent: t[0]!) }
    }

    /// `a + b` for equal shapes; VJP `(g, g)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func add(_ a: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        var y = values[a.index]
        y.add(values[b.index])
        let shape = y.shape
        return record(y, inputs: [a, b]) { g in [g, g] }
            jvp: { t in Self.sumTangents(t, shape: shape) }
    }

    /// `a - b` for equal shapes; VJP `(g, -g)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func subtract(_ a: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        let y = values[a.index].zipMap(values[b.index], -)
        return record(y, inputs: [a, b]) { g in [g, g.map { -$0 }] }
            jvp: { t in Self.sumTangents([t[0], t[1].map { $0.map { -$0 } }], shape: y.shape) }
    }

    /// `a ⊙ b` for equal shapes; VJP `(g ⊙ b, g ⊙ a)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func multiply(_ a: Variable<Scalar>, _ b: Variable<Scalar>) -> Variable<Scalar> {
        let av = values[a.index], bv = values[b.index]
        let y = av.zipMap(bv, *)
        let needA = needsGradient(a), needB = needsGradient(b)
        return record(y, inputs: [a, b]) { g in
            [needA ? g.zipMap(bv, *) : nil, needB ? g.zipMap(av, *) : nil]
        } jvp: { t in
            Self.sumTangents([t[0].map { $0.zipMap(bv, *) }, t[1].map { av.zipMap($0, *) }], shape: y.shape)
        }
    }

    /// `s · x` for a constant `s`; VJP `s · g`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func scale(_ x: Variable<Scalar>, by s: Scalar) -> Variable<Scalar> {
        var y = values[x.index]
        y.scale(by: s)
        return record(y, inputs: [x]) { g in
            var out = g
            out.scale(by: s)
            return [out]
        } jvp: { t in
            var out = t[0]!
            out.scale(by: s)
            return out
        }
    }

    /// The same values with another shape of equal count; VJP reshapes back.
    ///
    /// - Precondition: the counts agree (the model builder checks shapes before any forward pass).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func reshape(_ x: Variable<Scalar>, to shape: [Int]) -> Variable<Scalar> {
        let xv = values[x.index]
        let original = xv.shape
        return record(xv.reshaped(unchecked: shape), inputs: [x]) { g in [g.reshaped(unchecked: original)] }
            jvp: { t in t[0]!.reshaped(unchecked: shape) }
    }
}
