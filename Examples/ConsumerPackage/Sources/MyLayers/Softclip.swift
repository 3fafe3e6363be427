import _Differentiation
import Foundation

/// A smooth clip to (−c, c): `c · tanh(x / c)`, with a custom derivative.
public func softclip(_ x: Double) -> Double { 3 * Foundation.tanh(x / 3) }

@derivative(of: softclip)
public func softclipVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    let t = Foundation.tanh(x / 3)
    return (3 * t, { v in v * (1 - t * t) })
}

/// The mean of `softclip` over a vector, differentiable through Swift's autodiff.
@differentiable(reverse)
public func meanSoftclip(_ xs: [Double]) -> Double {
    var total = 0.0
    for i in withoutDerivative(at: xs.indices) { total += softclip(xs[i]) }
    return total / withoutDerivative(at: Double(xs.count))
}
