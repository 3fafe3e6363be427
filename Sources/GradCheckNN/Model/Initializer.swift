import GradCheckTensor

extension InitializerSpec {
    /// Draws a tensor of `shape` as Keras does for this initialiser.
    ///
    /// Fans follow Keras: for a kernel `[…, in, out]`, `fanIn = in · r` and `fanOut = out · r`
    /// where `r` is the product of the leading (receptive-field) axes. The `*_normal`
    /// variance-scaling initialisers draw from a normal truncated at two standard
    /// deviations, with the standard deviation divided by 0.87962566103423978 as Keras does.
    ///
    /// - Complexity: O(count).
    public func makeTensor<S: TensorScalar>(shape: [Int], rng: inout SeededRNG) -> Tensor<S> {
        let count = shape.reduce(1, *)
        let receptive = shape.count > 2 ? shape.dropLast(2).reduce(1, *) : 1
        let fanIn = Double(shape.count >= 2 ? shape[shape.count - 2] * receptive : (shape.first ?? 1))
        let fanOut = Double(shape.count >= 2 ? shape[shape.count - 1] * receptive : (shape.first ?? 1))
        let truncationCorrection = 0.87962566103423978
        let draw: (inout SeededRNG) -> Double
        switch self {
        case .zeros: draw = { _ in 0 }
        case .ones: draw = { _ in 1 }
        case let .constant(value): draw = { _ in value }
        case .glorotUniform:
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            draw = { $0.uniform(-limit, limit) }
        case .glorotNormal:
            let std = (2 / (fanIn + fanOut)).squareRoot() / truncationCorrection
            draw = { std * $0.truncatedNormal() }
        case .heNormal:
            let std = (2 / fanIn).squareRoot() / truncationCorrection
            draw = { std * $0.truncatedNormal() }
        case .heUniform:
            let limit = (6 / fanIn).squareRoot()
            draw = { $0.uniform(-limit, limit) }
        case .lecunNormal:
            let std = (1 / fanIn).squareRoot() / truncationCorrection
            draw = { std * $0.truncatedNormal() }
        case .lecunUniform:
            let limit = (3 / fanIn).squareRoot()
            draw = { $0.uniform(-limit, limit) }
        case let .randomNormal(mean, stddev): draw = { mean + stddev * $0.normal() }
        case let .randomUniform(minval, maxval): draw = { $0.uniform(minval, maxval) }
        case let .truncatedNormal(mean, stddev): draw = { mean + stddev * $0.truncatedNormal() }
        }
        var values = [S]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(S(draw(&rng))) }
        return Tensor(unchecked: shape, scalars: values)
    }
}
