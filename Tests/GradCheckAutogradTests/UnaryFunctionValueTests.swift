import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing

/// `UnaryFunction` values against closed forms, written here independently of the source.

/// Straightforward reference formulas (not overflow-safe; used at moderate x only).
private func reference(_ f: UnaryFunction, _ x: Double) -> Double {
    switch f {
    case .identity: return x
    case .relu: return max(x, 0)
    case let .leakyRelu(alpha): return x >= 0 ? x : alpha * x
    case let .elu(alpha): return x >= 0 ? x : alpha * (Foundation.exp(x) - 1)
    case .selu: return 1.0507009873554805 * (x >= 0 ? x : 1.6732632423543772 * (Foundation.exp(x) - 1))
    case .gelu: return x * 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot()))
    case .geluTanh: return 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * Foundation.pow(x, 3))))
    case .sigmoid: return 1 / (1 + Foundation.exp(-x))
    case .hardSigmoid: return min(max((x + 3) / 6, 0), 1)
    case .tanh: return (Foundation.exp(2 * x) - 1) / (Foundation.exp(2 * x) + 1)
    case .softplus: return Foundation.log(1 + Foundation.exp(x))
    case .softsign: return x / (1 + Swift.abs(x))
    case .swish: return x / (1 + Foundation.exp(-x))
    case .exp: return Foundation.exp(x)
    case .log: return Foundation.log(x)
    case .abs: return Swift.abs(x)
    case .square: return x * x
    }
}

@Test("value matches the closed form on a grid", arguments: allUnaryFunctions)
func unaryValueMatchesClosedForm(f: UnaryFunction) {
    let grid = stride(from: -5.0, through: 5.0, by: 0.37).map { $0 }
    for x in grid {
        let xx = f == .log ? Swift.abs(x) + 0.01 : x
        let v: Double = f.value(xx)
        let r = reference(f, xx)
        #expect(AG.close(v, r, atol: 1e-14, rtol: 1e-13), "\(f)(\(xx)) = \(v), closed form \(r)")
    }
}

@Test("apply on a tensor equals value per element", arguments: allUnaryFunctions)
func unaryApplyMatchesValue(f: UnaryFunction) {
    // The tensor path has fast paths for relu, tanh and sigmoid; they must agree bit for bit.
    var rng = SeededRNG(seed: 4)
    let x = Tensor<Double>(unchecked: [4, 5], scalars: (0..<20).map { _ in f.samplePoint(&rng) })
    let y = f.apply(x)
    #expect(y.shape == x.shape)
    #expect(y.scalars == x.scalars.map { f.value($0) })
    let xf = x.converted(to: Float.self)
    #expect(f.apply(xf).scalars == xf.scalars.map { f.value($0) })
}

@Test func unaryExactPoints() {
    // SELU constants and values.
    #expect(UnaryFunction.seluAlpha == 1.6732632423543772)
    #expect(UnaryFunction.seluScale == 1.0507009873554805)
    #expect(UnaryFunction.selu.value(1.0) == 1.0507009873554805)
    #expect(AG.close(UnaryFunction.selu.value(-1.0), -1.1113307378125625, atol: 0, rtol: 4e-16))
    #expect(UnaryFunction.selu.value(0.0) == 0)
    // GELU: x·Φ(x).
    #expect(AG.close(UnaryFunction.gelu.value(1.0), 0.8413447460685429, atol: 0, rtol: 4e-16))
    #expect(AG.close(UnaryFunction.gelu.value(-1.0), -0.15865525393145707, atol: 0, rtol: 1e-15))
    #expect(UnaryFunction.gelu.value(0.0) == 0)
    #expect(AG.close(UnaryFunction.geluTanh.value(1.0), 0.8411919906082768, atol: 0, rtol: 4e-16))
    // Hard sigmoid clip(x/6 + 1/2, 0, 1).
    #expect(UnaryFunction.hardSigmoid.value(3.0) == 1)
    #expect(UnaryFunction.hardSigmoid.value(-3.0) == 0)
    #expect(UnaryFunction.hardSigmoid.value(0.0) == 0.5)
    #expect(UnaryFunction.hardSigmoid.value(1.5) == 0.75)
    #expect(UnaryFunction.hardSigmoid.value(100.0) == 1)
    #expect(UnaryFunction.hardSigmoid.value(-100.0) == 0)
    // Overflow-free softplus and sigmoid.
    #expect(UnaryFunction.softplus.value(1000.0) == 1000)
    #expect(UnaryFunction.softplus.value(-1000.0) == 0)
    #expect(UnaryFunction.softplus.value(0.0) == Foundation.log(2.0))
    #expect(UnaryFunction.softplus.value(-40.0) > 0, "log1p keeps e^-40 instead of rounding 1 + e^-40 to 1")
    #expect(UnaryFunction.sigmoid.value(-1000.0) == 0)
    #expect(UnaryFunction.sigmoid.value(1000.0) == 1)
    #expect(UnaryFunction.sigmoid.value(0.0) == 0.5)
    #expect(UnaryFunction.sigmoid.value(-50.0) > 0, "e^x/(1+e^x) keeps tiny values")
    #expect(AG.close(UnaryFunction.sigmoid.value(1.0), 0.7310585786300049, atol: 0, rtol: 2e-16))
    #expect(UnaryFunction.swish.value(-1000.0) == 0)
    #expect(!UnaryFunction.swish.value(-1000.0).isNaN)
    #expect(AG.close(UnaryFunction.swish.value(1.0), 0.7310585786300049, atol: 0, rtol: 2e-16))
    // The rest.
    #expect(UnaryFunction.relu.value(-1.0) == 0 && UnaryFunction.relu.value(2.5) == 2.5)
    #expect(UnaryFunction.leakyRelu(alpha: 0.2).value(-2.0) == -0.4)
    #expect(UnaryFunction.leakyRelu(alpha: 0.2).value(3.0) == 3)
    #expect(AG.close(UnaryFunction.elu(alpha: 1).value(-1.0), Foundation.exp(-1.0) - 1, atol: 0, rtol: 4e-16))
    #expect(UnaryFunction.elu(alpha: 0.5).value(-1000.0) == -0.5)
    #expect(UnaryFunction.softsign.value(3.0) == 0.75 && UnaryFunction.softsign.value(-1.0) == -0.5)
    #expect(AG.close(UnaryFunction.tanh.value(0.5), 0.46211715726000974, atol: 0, rtol: 2e-16))
    #expect(UnaryFunction.tanh.value(1000.0) == 1 && UnaryFunction.tanh.value(-1000.0) == -1)
    #expect(UnaryFunction.exp.value(1.0) == M_E)
    #expect(UnaryFunction.log.value(M_E) == 1)
    #expect(UnaryFunction.log.value(0.0) == -.infinity)
    #expect(UnaryFunction.abs.value(-3.0) == 3)
    #expect(UnaryFunction.square.value(-3.0) == 9)
    #expect(UnaryFunction.identity.value(-7.25) == -7.25)
}

@Test func unaryExactPointsInFloat() {
    // The overflow-free forms hold in Float, where e^89 already overflows.
    #expect(UnaryFunction.softplus.value(Float(1000)) == 1000)
    #expect(UnaryFunction.softplus.value(Float(-1000)) == 0)
    #expect(UnaryFunction.sigmoid.value(Float(-1000)) == 0)
    #expect(UnaryFunction.sigmoid.value(Float(1000)) == 1)
    #expect(UnaryFunction.hardSigmoid.value(Float(3)) == 1)
    #expect(abs(UnaryFunction.gelu.value(Float(1)) - 0.84134474) < 1e-6)
    #expect(UnaryFunction.selu.value(Float(1)) == Float(1.0507009873554805))
}

@Test func derivativesAtKinksFollowTheFrameworks() {
    // ReLU'(0) = 0 (PyTorch and TensorFlow), |x|'(0) = 0, hard sigmoid flat at ±3.
    #expect(UnaryFunction.relu.derivative(0.0, 0.0) == 0)
    #expect(UnaryFunction.abs.derivative(0.0, 0.0) == 0)
    #expect(UnaryFunction.hardSigmoid.derivative(3.0, 1.0) == 0)
    #expect(UnaryFunction.hardSigmoid.derivative(-3.0, 0.0) == 0)
    #expect(UnaryFunction.hardSigmoid.derivative(2.9, UnaryFunction.hardSigmoid.value(2.9)) == 1.0 / 6)
    #expect(UnaryFunction.leakyRelu(alpha: 0.3).derivative(0.0, 0.0) == 0.3)
    #expect(UnaryFunction.elu(alpha: 0.5).derivative(0.0, 0.0) == 0.5)
    #expect(UnaryFunction.selu.derivative(0.0, 0.0) == 1.0507009873554805 * 1.6732632423543772)
    // The tensor pullback takes the same choice at the kink.
    let x = Tensor<Double>(unchecked: [3], scalars: [0, -1, 1])
    let g = Tensor<Double>(repeating: 1, shape: [3])
    #expect(UnaryFunction.relu.pullback(x: x, y: UnaryFunction.relu.apply(x), upstream: g).scalars == [0, 0, 1])
    #expect(UnaryFunction.abs.pullback(x: x, y: UnaryFunction.abs.apply(x), upstream: g).scalars == [0, -1, 1])
}

@Test func derivativesInLargeMagnitudeAreFinite() {
    for f in [UnaryFunction.sigmoid, .softplus, .swish, .tanh, .gelu, .geluTanh, .selu, .elu(alpha: 1), .softsign] {
        for x in [-1000.0, 1000.0] {
            let d = f.derivative(x, f.value(x))
            #expect(d.isFinite, "\(f)'(\(x)) = \(d)")
        }
    }
    #expect(UnaryFunction.sigmoid.derivative(-1000.0, UnaryFunction.sigmoid.value(-1000.0)) == 0)
    #expect(UnaryFunction.softplus.derivative(1000.0, 1000.0) == 1)
}

@Test func kinkedFunctionsAreFlagged() {
    for f in [UnaryFunction.relu, .leakyRelu(alpha: 0.1), .selu, .hardSigmoid, .abs, .elu(alpha: 0.5)] {
        #expect(f.hasKinks, "\(f)")
    }
    for f in [UnaryFunction.identity, .elu(alpha: 1), .gelu, .geluTanh, .sigmoid, .tanh, .softplus,
              .softsign, .swish, .exp, .log, .square] {
        #expect(!f.hasKinks, "\(f)")
    }
}
