#if canImport(XCTest)
import GradCheck
import XCTest
#if canImport(_Differentiation)
import _Differentiation
#endif

// Assertions for XCTest: each fails once per failing tensor at the caller's file and
// line, and returns the results for further assertions.

/// Asserts that a layer's VJPs match central differences.
@discardableResult
public func XCTAssertCorrectGradients(
    of layer: some Layer, batchSize: Int = 4, seed: UInt64 = 0, checker: GradientChecker = GradientChecker(),
    file: StaticString = #filePath, line: UInt = #line
) -> [TensorCheckResult] {
    let results = GradientChecks.layer(layer, batchSize: batchSize, seed: seed, checker: checker)
    fail(results, checker, file, line)
    return results
}

/// Asserts that an op's VJP matches central differences of its forward function.
@discardableResult
public func XCTAssertCorrectGradients(
    forward: @escaping @Sendable ([Tensor<Double>]) -> Tensor<Double>,
    vjp: @escaping @Sendable ([Tensor<Double>], Tensor<Double>) -> [Tensor<Double>],
    at inputs: [Tensor<Double>], names: [String]? = nil, checker: GradientChecker = GradientChecker(),
    file: StaticString = #filePath, line: UInt = #line
) -> [TensorCheckResult] {
    let results = GradientChecks.op(forward: forward, vjp: vjp, at: inputs, names: names, checker: checker)
    fail(results, checker, file, line)
    return results
}

/// Asserts that every layer of a spec, and the whole model with its loss, have correct
/// gradients. A bad spec fails the assertion too.
@discardableResult
public func XCTAssertCorrectGradients(
    specAt path: String, weights: String? = nil, batch: String? = nil, batchSize: Int = 4, seed: UInt64 = 0,
    checker: GradientChecker = GradientChecker(), file: StaticString = #filePath, line: UInt = #line
) -> CheckReport? {
    do {
        let report = try GradientChecks.spec(path: path, weights: weights, batch: batch, batchSize: batchSize,
                                             seed: seed, checker: checker)
        fail(report.results, checker, file, line)
        return report
    } catch {
        XCTFail("cannot check \(path): \(error)", file: file, line: line)
        return nil
    }
}

#if canImport(_Differentiation)
/// Asserts that a Swift `@differentiable(reverse)` function's derivative matches central
/// differences at `x`.
@discardableResult
public func XCTAssertCorrectGradients<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, checker: GradientChecker = GradientChecker(),
    file: StaticString = #filePath, line: UInt = #line
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiable(f, at: x, checker: checker)
    fail(results, checker, file, line)
    return results[0]
}

/// Asserts that a Swift `@differentiable(reverse)` function's differential and pullback
/// agree at `x`: the dot-product test `⟨J u, w⟩ = ⟨u, Jᵀ w⟩`, no finite differences
/// (``GradientChecker/dotProductCheck(_:at:probes:name:target:)``; `f` needs a differential,
/// such as a custom `@derivative(of:)` returning `(value:, differential:)`).
@discardableResult
public func XCTAssertDotProduct<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4,
    checker: GradientChecker = GradientChecker(), file: StaticString = #filePath, line: UInt = #line
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiableDotProduct(f, at: x, probes: probes, checker: checker)
    fail(results, checker, file, line)
    return results[0]
}

/// Asserts that a Swift `@differentiable(reverse)` function's gradient passes the Taylor
/// test at `x`: the remainder `|f(x + h·v) − f(x) − h·∇f·v|` shrinks at rate 2
/// (``CheckMode/taylor(probes:)``).
@discardableResult
public func XCTAssertTaylorConvergence<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4,
    checker: GradientChecker = GradientChecker(), file: StaticString = #filePath, line: UInt = #line
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiableTaylor(f, at: x, probes: probes, checker: checker)
    fail(results, checker, file, line)
    return results[0]
}
#endif

private func fail(_ results: [TensorCheckResult], _ checker: GradientChecker, _ file: StaticString, _ line: UInt) {
    for message in GradientFailure.messages(results, tolerance: checker.tolerance) {
        XCTFail(message, file: file, line: line)
    }
}
#endif
