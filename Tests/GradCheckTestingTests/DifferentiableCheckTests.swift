import _Differentiation
import GradCheck
import GradCheckTesting
import Testing

func cube(_ x: Double) -> Double { x * x * x }
@derivative(of: cube)
func cubeVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    (x * x * x, { v in v * 3 * x * x })
}

func badCube(_ x: Double) -> Double { x * x * x }
@derivative(of: badCube)
func badCubeVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
    (x * x * x, { v in v * 2 * x * x })  // planted: off by a factor 2/3
}

func sumOfSquares(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } }
@derivative(of: sumOfSquares)
func sumOfSquaresVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> Array<Double>.TangentVector) {
    (sumOfSquares(x), { v in Array<Double>.TangentVector(x.map { 2 * v * $0 }) })
}

func shiftedSquares(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } }
@derivative(of: shiftedSquares)
func shiftedSquaresVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> Array<Double>.TangentVector) {
    // planted: a wrong index — element i gets element i+1's derivative.
    (shiftedSquares(x), { v in Array<Double>.TangentVector(x.indices.map { 2 * v * x[($0 + 1) % x.count] }) })
}

func tensorSquares(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { $0 + $1 * $1 } }
@derivative(of: tensorSquares)
func tensorSquaresVJP(_ t: Tensor<Double>) -> (value: Double, pullback: (Double) -> Tensor<Double>) {
    (tensorSquares(t), { g in t.map { 2 * g * $0 } })
}

func tensorSquaresWrongSign(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { $0 + $1 * $1 } }
@derivative(of: tensorSquaresWrongSign)
func tensorSquaresWrongSignVJP(_ t: Tensor<Double>) -> (value: Double, pullback: (Double) -> Tensor<Double>) {
    (tensorSquaresWrongSign(t), { g in
        var d = t.map { 2 * g * $0 }
        d.scalars[1] = -d.scalars[1]  // planted: wrong sign at element 1
        return d
    })
}

/// A user type: its own tangent vector (it is `AdditiveArithmetic`), flattened as `[w, b]`.
struct Affine: Differentiable, AdditiveArithmetic, ScalarFlattenable {
    var w: Double
    var b: Double
    init(w: Double, b: Double) { self.w = w; self.b = b }
    static var zero: Affine { Affine(w: 0, b: 0) }
    static func + (l: Affine, r: Affine) -> Affine { Affine(w: l.w + r.w, b: l.b + r.b) }
    static func - (l: Affine, r: Affine) -> Affine { Affine(w: l.w - r.w, b: l.b - r.b) }
    var flattenedScalars: [Double] { [w, b] }
    init(flattenedScalars s: [Double], like _: Affine) { w = s[0]; b = s[1] }
}

@Suite struct DifferentiableCheckTests {
    let checker = GradientChecker()

    @Test func builtInDerivativesPass() {
        #expect(checker.check({ (x: Double) in x * x * x + 2 * x }, at: 0.7).status == .pass)
        #expect(checker.check({ (x: SIMD4<Double>) in (x * x).sum() }, at: SIMD4(1, -2, 3, 0.5)).status == .pass)
        #expect(checker.check({ (p: Affine) in p.w * p.w * p.b + p.b }, at: Affine(w: 1.5, b: -0.3)).status == .pass)
    }

    @Test func correctCustomDerivativesPass() {
        #expect(checker.check(cube, at: 1.3).status == .pass)
        #expect(checker.check(sumOfSquares, at: [0.5, -1, 2]).status == .pass)
    }

    @Test func customDerivativeOffByAFactorIsCaught() {
        let r = checker.check(badCube, at: 1.3)
        #expect(r.status == .fail)
        let w = r.worst!
        #expect(abs(w.analytic / w.numerical - 2.0 / 3.0) < 1e-6)
    }

    @Test func fastModeCatchesTheWrongCustomDerivativesToo() {
        let fast = GradientChecker(mode: .fast(probes: 4))
        #expect(fast.check(badCube, at: 1.3).status == .fail)
        #expect(fast.check(shiftedSquares, at: [0.5, 0.5, 2, 2]).status == .fail)
        #expect(fast.check(tensorSquaresWrongSign, at: Tensor<Double>(unchecked: [2, 2], scalars: [1, 2, 3, -4])).status == .fail)
        #expect(fast.check(cube, at: 1.3).status == .pass)
        #expect(fast.check(sumOfSquares, at: [0.5, -1, 2]).status == .pass)
    }

    @Test func wrongIndexInCustomDerivativeIsLocated() {
        let r = checker.check(shiftedSquares, at: [0.5, 0.5, 2, 2])
        // Elements 1 and 3 get their neighbour's derivative: wrong; 0 and 2 happen to be right.
        #expect(r.status == .fail)
        #expect(r.failingElements.map(\.flatIndex) == [1, 3])
    }

    @Test func floatFunctionsUseFloatTolerances() {
        let f: @differentiable(reverse) (Float) -> Float = { x in x * x * x }
        let r = GradientChecker(tolerance: .float32).check(f, at: Float(1.3))
        #expect(r.status == .pass)
    }

    @Test func tensorArgumentsWork() {
        let t = Tensor<Double>(unchecked: [2, 2], scalars: [1, 2, 3, -4])
        #expect(checker.check(tensorSquares, at: t).status == .pass)
        #expect(checker.check(tensorSquaresWrongSign, at: t).failingElements.map(\.index) == [[1]])
    }
}
