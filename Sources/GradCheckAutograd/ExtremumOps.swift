import GradCheckTensor

/// The elementwise maximum and minimum of several tensors (Keras' `Maximum` and `Minimum`
/// merge layers).
extension Tape {
    /// The elementwise maximum (`largest`) or minimum of `xs`, all of one shape.
    ///
    /// VJP: each element's upstream gradient goes to the input that holds the extremum;
    /// on a tie, to the first such input, as TensorFlow's `maximum` sends it. A tie is a
    /// kink: the one-sided differences there are the upstream gradient and 0, and the
    /// analytic value lies between them. JVP: the tangent of that same input.
    ///
    /// - Precondition: at least one input; equal shapes (the model builder checks them).
    /// - Complexity: O(inputs × elements).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func extremum(_ xs: [Variable<Scalar>], largest: Bool) -> Variable<Scalar> {
        precondition(!xs.isEmpty, "extremum: no inputs")
        let vs = xs.map { values[$0.index] }
        let shape = vs[0].shape
        for v in vs { precondition(v.shape == shape, "extremum: \(vs.map(\.shape))") }
        let n = vs[0].count
        var y = vs[0].scalars
        var owner = [Int32](repeating: 0, count: n)
        for k in 1..<vs.count {
            vs[k].scalars.withUnsafeBufferPointer { s in
                for j in 0..<n where largest ? s[j] > y[j] : s[j] < y[j] {
                    y[j] = s[j]
                    owner[j] = Int32(k)
                }
            }
        }
        let count = xs.count
        let needs = xs.map { needsGradient($0) }
        return record(Tensor(unchecked: shape, scalars: y), inputs: xs) { g in
            (0..<count).map { k -> Tensor<Scalar>? in
                guard needs[k] else { return nil }
                var d = [Scalar](repeating: 0, count: n)
                for j in 0..<n where owner[j] == Int32(k) { d[j] = g.scalars[j] }
                return Tensor(unchecked: shape, scalars: d)
            }
        } jvp: { tangents in
            var out = [Scalar](repeating: 0, count: n)
            for j in 0..<n { if let t = tangents[Int(owner[j])] { out[j] = t.scalars[j] } }
            return Tensor(unchecked: shape, scalars: out)
        }
    }
}
