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
        if case let .orthogonal(gain) = self {
            return Tensor(unchecked: shape, scalars: Self.orthogonal(shape: shape, gain: gain, rng: &rng).map { S($0) })
        }
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
        case .orthogonal: draw = { _ in 0 }  // handled above
        }
        var values = [S]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(S(draw(&rng))) }
        return Tensor(unchecked: shape, scalars: values)
    }

    /// Keras' orthogonal initialiser: for a shape with `rows = product(shape.dropLast())`
    /// and `cols = shape.last`, draw a standard normal `max(rows, cols) × min(rows, cols)`
    /// matrix (row-major), take the Q factor of its QR decomposition with the signs of
    /// its columns fixed so that R's diagonal is positive, transpose it when
    /// `rows < cols`, and scale by `gain`. Q comes from modified Gram–Schmidt with one
    /// re-orthogonalisation pass, which yields exactly that sign-fixed factor.
    ///
    /// - Complexity: O(max(rows, cols) · min(rows, cols)²).
    static func orthogonal(shape: [Int], gain: Double, rng: inout SeededRNG) -> [Double] {
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        let cols = shape.last ?? 1
        let rows = count / Swift.max(cols, 1)
        let m = Swift.max(rows, cols), n = Swift.min(rows, cols)
        var a = [Double](repeating: 0, count: m * n)
        for i in 0..<(m * n) { a[i] = rng.normal() }
        // Columns of `a` (an m × n matrix, row-major) become orthonormal in place.
        var column = [Double](repeating: 0, count: m)
        for j in 0..<n {
            for i in 0..<m { column[i] = a[i * n + j] }
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += a[i * n + k] * column[i] }
                    for i in 0..<m { column[i] -= dot * a[i * n + k] }
                }
            }
            var norm = 0.0
            for i in 0..<m { norm += column[i] * column[i] }
            norm = norm.squareRoot()
            if norm > 0 {
                for i in 0..<m { a[i * n + j] = column[i] / norm }
            } else {
                for i in 0..<m { a[i * n + j] = i == j ? 1 : 0 }
            }
        }
        var out = [Double](repeating: 0, count: count)
        if rows >= cols {
            for i in 0..<count { out[i] = gain * a[i] }
        } else {
            // Qᵀ: rows × cols from the cols × rows factor.
            for r in 0..<rows {
                for c in 0..<cols { out[r * cols + c] = gain * a[c * n + r] }
            }
        }
        return out
    }
}
