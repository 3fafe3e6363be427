import _Differentiation
import Foundation
import GradCheck

/// A hidden or output layer's activation.
public enum Nonlinearity: Sendable {
    case relu, tanh, sigmoid, linear

    /// What the health monitor can say about the layer's outputs.
    public var kind: ActivationKind {
        switch self {
        case .relu: return .reluFamily
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .linear: return .other
        }
    }
}

/// A dense layer with its weights in plain arrays: `weight` is `[inputs, units]`
/// row-major, `bias` is `[units]`. Batches are `[batch, features]` row-major arrays.
public struct Dense: Differentiable {
    public var weight: [Double]
    public var bias: [Double]
    @noDerivative public let inputs: Int
    @noDerivative public let units: Int
    @noDerivative public let activation: Nonlinearity

    /// A layer with weights drawn uniformly from `±scale` (Glorot uniform when `scale` is
    /// `nil`) and zero biases.
    public init(inputs: Int, units: Int, activation: Nonlinearity, scale: Double? = nil,
                generator: inout SplitMix) {
        let limit = scale ?? (6.0 / Double(inputs + units)).squareRoot()
        weight = (0..<(inputs * units)).map { _ in limit * (2 * generator.nextUnit() - 1) }
        bias = [Double](repeating: 0, count: units)
        self.inputs = inputs
        self.units = units
        self.activation = activation
    }

    @differentiable(reverse)
    public func callAsFunction(_ x: [Double]) -> [Double] {
        activate(affine(x, weight, bias, inputs: inputs, units: units), activation)
    }
}

/// A multi-layer perceptron as a Swift `Differentiable` value.
public struct MLP: Differentiable {
    public var layers: [Dense]

    public init(layers: [Dense]) { self.layers = layers }

    /// The logits of a batch `[batch, inputs]`.
    @differentiable(reverse)
    public func logits(_ x: [Double]) -> [Double] {
        var h = x
        for i in 0..<withoutDerivative(at: layers.count) {
            h = layers[i](h)
        }
        return h
    }

    /// The mean softmax cross-entropy of a batch.
    @differentiable(reverse)
    public func loss(_ x: [Double], labels: [Int]) -> Double {
        softmaxCrossEntropy(logits(x), labels: labels, classes: withoutDerivative(at: layers[layers.count - 1].units))
    }

    /// Every layer's output on a batch, for the monitor's activation statistics (not
    /// differentiated).
    public func outputs(_ x: [Double]) -> [[Double]] {
        var h = x
        return layers.map { layer in
            h = layer(h)
            return h
        }
    }

    /// The layer names, `dense_1`…
    public var layerNames: [String] { layers.indices.map { "dense_\($0 + 1)" } }
}

// MARK: Primitives with hand-written derivatives (fast: one pass each way).

/// `x·W + b` for a batch `x` of `[batch, inputs]`, `W` `[inputs, units]`.
@differentiable(reverse, wrt: (x, w, b))
public func affine(_ x: [Double], _ w: [Double], _ b: [Double], inputs: Int, units: Int) -> [Double] {
    let batch = x.count / inputs
    var out = [Double](repeating: 0, count: batch * units)
    for n in 0..<batch {
        for j in 0..<units { out[n * units + j] = b[j] }
        for i in 0..<inputs {
            let xi = x[n * inputs + i]
            if xi == 0 { continue }
            for j in 0..<units { out[n * units + j] += xi * w[i * units + j] }
        }
    }
    return out
}

@derivative(of: affine, wrt: (x, w, b))
public func affineVJP(_ x: [Double], _ w: [Double], _ b: [Double], inputs: Int, units: Int)
    -> (value: [Double], pullback: ([Double].TangentVector) -> ([Double].TangentVector, [Double].TangentVector, [Double].TangentVector)) {
    let value = affine(x, w, b, inputs: inputs, units: units)
    return (value, { upstream in
        let g = upstream.base
        let batch = x.count / inputs
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: b.count)
        guard g.count == value.count else { return (.init(dx), .init(dw), .init(db)) }  // a zero tangent
        for n in 0..<batch {
            for j in 0..<units { db[j] += g[n * units + j] }
            for i in 0..<inputs {
                let xi = x[n * inputs + i]
                var s = 0.0
                for j in 0..<units {
                    let gj = g[n * units + j]
                    dw[i * units + j] += xi * gj
                    s += gj * w[i * units + j]
                }
                dx[n * inputs + i] = s
            }
        }
        return (.init(dx), .init(dw), .init(db))
    })
}

/// The activation applied element-wise.
@differentiable(reverse, wrt: z)
public func activate(_ z: [Double], _ f: Nonlinearity) -> [Double] {
    switch f {
    case .relu: return z.map { max($0, 0) }
    case .tanh: return z.map { Foundation.tanh($0) }
    case .sigmoid: return z.map { 1 / (1 + Foundation.exp(-$0)) }
    case .linear: return z
    }
}

@derivative(of: activate, wrt: z)
public func activateVJP(_ z: [Double], _ f: Nonlinearity) -> (value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector) {
    let y = activate(z, f)
    return (y, { upstream in
        let g = upstream.base
        guard g.count == y.count else { return .init([Double](repeating: 0, count: z.count)) }
        switch f {
        case .relu: return .init(zip(g, z).map { $1 > 0 ? $0 : 0 })
        case .tanh: return .init(zip(g, y).map { $0 * (1 - $1 * $1) })
        case .sigmoid: return .init(zip(g, y).map { $0 * $1 * (1 - $1) })
        case .linear: return .init(g)
        }
    })
}

/// The mean softmax cross-entropy of `logits` `[batch, classes]` against integer labels.
@differentiable(reverse, wrt: logits)
public func softmaxCrossEntropy(_ logits: [Double], labels: [Int], classes: Int) -> Double {
    softmaxCrossEntropyAndGradient(logits, labels: labels, classes: classes).loss
}

@derivative(of: softmaxCrossEntropy, wrt: logits)
public func softmaxCrossEntropyVJP(_ logits: [Double], labels: [Int], classes: Int)
    -> (value: Double, pullback: (Double) -> [Double].TangentVector) {
    let (loss, gradient) = softmaxCrossEntropyAndGradient(logits, labels: labels, classes: classes)
    return (loss, { upstream in .init(gradient.map { $0 * upstream }) })
}

func softmaxCrossEntropyAndGradient(_ logits: [Double], labels: [Int], classes: Int) -> (loss: Double, gradient: [Double]) {
    let batch = labels.count
    var loss = 0.0
    var gradient = [Double](repeating: 0, count: logits.count)
    for n in 0..<batch {
        let row = logits[(n * classes)..<((n + 1) * classes)]
        let top = row.max() ?? 0
        let exps = row.map { Foundation.exp($0 - top) }
        let sum = exps.reduce(0, +)
        loss += Foundation.log(sum) + top - logits[n * classes + labels[n]]
        for k in 0..<classes {
            gradient[n * classes + k] = (exps[k] / sum - (k == labels[n] ? 1 : 0)) / Double(batch)
        }
    }
    return (loss / Double(batch), gradient)
}

/// A small seeded generator (SplitMix64).
public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
