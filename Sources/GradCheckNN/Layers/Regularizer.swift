import GradCheckAutograd
import GradCheckTensor

/// An L1/L2 penalty as Keras defines it: `l1 · Σ|w| + l2 · Σ w²` (no factor ½ on L2).
///
/// The penalty is a sum of one function of each element, ``elementPenalty(_:)``; the
/// tape op and the verifier both evaluate that one function.
public struct Regularizer: Sendable, Hashable {
    /// The L1 factor.
    public var l1: Double
    /// The L2 factor.
    public var l2: Double

    /// A penalty with the given factors.
    public init(l1: Double = 0, l2: Double = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    /// The penalty a spec names.
    public init(_ spec: RegularizerSpec) { self.init(l1: spec.l1, l2: spec.l2) }

    /// `l1·|w| + l2·w²` for one element.
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func elementPenalty<S: TensorScalar>(_ w: S) -> S {
        S(l1) * Swift.abs(w) + S(l2) * w * w
    }

    /// The penalty of a whole tensor, recorded on `tape`: a rank-0 variable.
    ///
    /// VJP: `l1·sign(w) + 2·l2·w` times the upstream gradient (sign(0) = 0, a kink); JVP:
    /// `Σ (l1·sign(w) + 2·l2·w) · dw`.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func penalty<S: TensorScalar>(_ w: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        let wv = tape.value(w)
        let value = wv.scalars.withUnsafeBufferPointer { ws -> S in
            var terms = [S](repeating: 0, count: ws.count)
            for i in 0..<ws.count { terms[i] = elementPenalty(ws[i]) }
            return terms.withUnsafeBufferPointer { _pairwiseSum($0) }
        }
        let l1 = S(self.l1), l2 = S(self.l2)
        return tape.record(Tensor(scalar: value), inputs: [w]) { g in
            let scale = g.scalars[0]
            return [wv.map { w in scale * (l1 * (w > 0 ? 1 : (w < 0 ? -1 : 0)) + 2 * l2 * w) }]
        } jvp: { t in
            let dw = t[0]!.scalars
            var d: S = 0
            for i in 0..<dw.count {
                let w = wv.scalars[i]
                d += (l1 * (w > 0 ? 1 : (w < 0 ? -1 : 0)) + 2 * l2 * w) * dw[i]
            }
            return Tensor(scalar: d)
        }
    }

    /// The activity penalty of each sample of a layer output: a `[batch]` variable. The
    /// model averages per-sample terms over the batch, which divides the penalty by the
    /// batch size as Keras does.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func activityPenalty<S: TensorScalar>(_ y: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        var terms: [Variable<S>] = []
        if l1 != 0 { terms.append(tape.scale(tape.sumPerSample(tape.apply(.abs, y)), by: S(l1))) }
        if l2 != 0 { terms.append(tape.scale(tape.sumPerSample(tape.apply(.square, y)), by: S(l2))) }
        var total = terms.isEmpty ? tape.constant(Tensor.zeros([tape.value(y).shape.first ?? 0])) : terms[0]
        for t in terms.dropFirst() { total = tape.add(total, t) }
        return total
    }
}
