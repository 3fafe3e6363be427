import GradCheck

/// `a · tanh(x)` with a learnable scale per unit: a custom layer with a hand-written VJP.
public struct ScaledTanh: Layer {
    public let name: String
    public var typeName: String { "scaled_tanh" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let parameters: [ParameterDescriptor]

    public init(name: String, units: Int) {
        self.name = name
        self.inputShape = [units]
        self.parameters = [ParameterDescriptor(name: "\(name)/scale", layer: name, shape: [units],
                                               initializer: .randomNormal(mean: 1, stddev: 0.2))]
    }

    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let t = tape.value(x).map { S.tanh($0) }
        let a = tape.value(p[0])
        let n = a.count
        var y = t
        for i in 0..<y.count { y.scalars[i] *= a.scalars[i % n] }
        return tape.custom([x, p[0]], value: y) { g in
            // ∂x = g · a · (1 − tanh²),  ∂a = Σ_rows g · tanh
            var dx = g, da = Tensor<S>.zeros([n])
            for i in 0..<g.count {
                dx.scalars[i] = g.scalars[i] * a.scalars[i % n] * (1 - t.scalars[i] * t.scalars[i])
                da.scalars[i % n] += g.scalars[i] * t.scalars[i]
            }
            return [dx, da]
        }
    }
}
