import GradCheckTensor

/// An elementwise function with its derivative: every activation of the model format,
/// and the pieces losses and regularisers are built from.
///
/// Formulas follow FORMATS.md ("Exact semantics"): `leaky_relu` is `x` for `x > 0`, else
/// `alpha·x`; `hard_sigmoid` is `clip(x/6 + 1/2, 0, 1)`; `gelu` is `x·Φ(x)` (or the tanh
/// form); `selu` uses α = 1.6732632423543772, λ = 1.0507009873554805. `sigmoid` and
/// `softplus` are evaluated in their overflow-free forms. At a kink (ReLU at 0, `abs` at
/// 0, hard sigmoid at ±3) the derivative is the one PyTorch and TensorFlow use (0 for
/// ReLU at 0); the verifier reports such points as kinks rather than failures.
public enum UnaryFunction: Sendable, Hashable {
    case identity, relu, leakyRelu(alpha: Double), elu(alpha: Double), selu
    case gelu, geluTanh, sigmoid, hardSigmoid, tanh, softplus, softsign, swish
    case exp, log, abs, square

    /// SELU's α.
    public static let seluAlpha = 1.6732632423543772
    /// SELU's scale λ.
    public static let seluScale = 1.0507009873554805

    /// Whether the function's derivative is discontinuous somewhere (its kinks are where
    /// central differences can disagree with the VJP without a bug).
    public var hasKinks: Bool {
        switch self {
        case .relu, .leakyRelu, .selu, .hardSigmoid, .abs: return true
        case let .elu(alpha): return alpha != 1
        default: return false
        }
    }

    /// `f(x)` for one scalar.
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func value<S: TensorScalar>(_ x: S) -> S {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0
        case let .leakyRelu(alpha): return x > 0 ? x : S(alpha) * x
        case let .elu(alpha): return x > 0 ? x : S(alpha) * S.expm1(x)
        case .selu: return S(Self.seluScale) * (x > 0 ? x : S(Self.seluAlpha) * S.expm1(x))
        case .gelu: return x * _phi(x)
        case .geluTanh:
            let c = S(0.7978845608028654)  // sqrt(2/pi)
            return S(0.5) * x * (1 + S.tanh(c * (x + S(0.044715) * x * x * x)))
        case .sigmoid: return _sigmoid(x)
        case .hardSigmoid: return Swift.min(Swift.max(x / 6 + S(0.5), 0), 1)
        case .tanh: return S.tanh(x)
        case .softplus: return Swift.max(x, 0) + S.log1p(S.exp(-Swift.abs(x)))
        case .softsign: return x / (1 + Swift.abs(x))
        case .swish: return x * _sigmoid(x)
        case .exp: return S.exp(x)
        case .log: return S.log(x)
        case .abs: return Swift.abs(x)
        case .square: return x * x
        }
    }

    /// `f'(x)`, given `x` and `y = f(x)` (some derivatives are cheapest from `y`).
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func derivative<S: TensorScalar>(_ x: S, _ y: S) -> S {
        switch self {
        case .identity: return 1
        case .relu: return x > 0 ? 1 : 0
        case let .leakyRelu(alpha): return x > 0 ? 1 : S(alpha)
        case let .elu(alpha): return x > 0 ? 1 : y + S(alpha)
        case .selu: return x > 0 ? S(Self.seluScale) : S(Self.seluScale * Self.seluAlpha) * S.exp(x)
        case .gelu:
            let pdf = S.exp(-x * x / 2) * S(0.3989422804014327)  // 1/sqrt(2pi)
            return _phi(x) + x * pdf
        case .geluTanh:
            let c = S(0.7978845608028654)
            let t = S.tanh(c * (x + S(0.044715) * x * x * x))
            return S(0.5) * (1 + t) + S(0.5) * x * (1 - t * t) * c * (1 + 3 * S(0.044715) * x * x)
        case .sigmoid: return y * (1 - y)
        case .hardSigmoid: return (x > -3 && x < 3) ? 1 / S(6) : 0
        case .tanh: return 1 - y * y
        case .softplus: return _sigmoid(x)
        case .softsign:
            let d = 1 + Swift.abs(x)
            return 1 / (d * d)
        case .swish:
            let s = _sigmoid(x)
            return s + x * s * (1 - s)
        case .exp: return y
        case .log: return 1 / x
        case .abs: return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .square: return 2 * x
        }
    }

    /// Applies the function to every element.
    ///
    /// - Complexity: O(n); the switch is hoisted out of the loop by specialisation.
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func apply<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
        switch self {
        case .identity: return x
        case .relu: return x.map { $0 > 0 ? $0 : 0 }
        case .tanh: return x.map { S.tanh($0) }
        case .sigmoid: return x.map { _sigmoid($0) }
        case .gelu: return x.map { $0 * _phi($0) }
        default: return x.map { self.value($0) }
        }
    }

    /// `upstream ⊙ f'(x)`: the VJP of the elementwise function.
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func pullback<S: TensorScalar>(x: Tensor<S>, y: Tensor<S>, upstream: Tensor<S>) -> Tensor<S> {
        var out = upstream
        out.scalars.withUnsafeMutableBufferPointer { g in
            x.scalars.withUnsafeBufferPointer { xs in
                y.scalars.withUnsafeBufferPointer { ys in
                    switch self {
                    case .relu:
                        for i in 0..<g.count where !(xs[i] > 0) { g[i] = 0 }
                    case .tanh:
                        for i in 0..<g.count { g[i] *= 1 - ys[i] * ys[i] }
                    case .sigmoid:
                        for i in 0..<g.count { g[i] *= ys[i] * (1 - ys[i]) }
                    default:
                        for i in 0..<g.count { g[i] *= self.derivative(xs[i], ys[i]) }
                    }
                }
            }
        }
        return out
    }
}

extension UnaryFunction {
    /// `f'(x) ⊙ tangent`: the JVP of the elementwise function (its Jacobian is diagonal,
    /// so this is the VJP's product; it reads ``derivative(_:_:)`` element by element).
    @inlinable
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func tangent<S: TensorScalar>(x: Tensor<S>, y: Tensor<S>, tangent: Tensor<S>) -> Tensor<S> {
        var out = tangent
        out.scalars.withUnsafeMutableBufferPointer { t in
            x.scalars.withUnsafeBufferPointer { xs in
                y.scalars.withUnsafeBufferPointer { ys in
                    for i in 0..<t.count { t[i] = self.derivative(xs[i], ys[i]) * t[i] }
                }
            }
        }
        return out
    }
}

/// The logistic function without overflow for large |x|.
@inlinable
@_specialize(where S == Double)
@_specialize(where S == Float)
public func _sigmoid<S: TensorScalar>(_ x: S) -> S {
    if x >= 0 {
        return 1 / (1 + S.exp(-x))
    }
    let e = S.exp(x)
    return e / (1 + e)
}

/// The standard normal CDF Φ(x) = (1 + erf(x/√2)) / 2.
@inlinable
@_specialize(where S == Double)
@_specialize(where S == Float)
public func _phi<S: TensorScalar>(_ x: S) -> S {
    S(0.5) * (1 + S.erf(x * S(0.7071067811865476)))
}
