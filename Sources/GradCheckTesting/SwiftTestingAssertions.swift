#if canImport(Testing)
import GradCheck
import Testing
#if canImport(_Differentiation)
import _Differentiation
#endif

// Assertions for Swift Testing: each records one `Issue` per failing tensor at the
// caller's source location, and returns the results for further expectations.

/// Expects a layer's VJPs to match central differences (see ``GradientChecks/layer(_:batchSize:seed:checker:)``).
@discardableResult
public func expectCorrectGradients(
    of layer: some Layer, batchSize: Int = 4, seed: UInt64 = 0, checker: GradientChecker = GradientChecker(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [TensorCheckResult] {
    let results = GradientChecks.layer(layer, batchSize: batchSize, seed: seed, checker: checker)
    record(results, checker, sourceLocation)
    return results
}

/// Expects an op's VJP to match central differences of its forward function.
@discardableResult
public func expectCorrectGradients(
    forward: @escaping @Sendable ([Tensor<Double>]) -> Tensor<Double>,
    vjp: @escaping @Sendable ([Tensor<Double>], Tensor<Double>) -> [Tensor<Double>],
    at inputs: [Tensor<Double>], names: [String]? = nil, checker: GradientChecker = GradientChecker(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [TensorCheckResult] {
    let results = GradientChecks.op(forward: forward, vjp: vjp, at: inputs, names: names, checker: checker)
    record(results, checker, sourceLocation)
    return results
}

/// Expects every layer of a `gradcheck.model/1` spec, and the whole model with its loss,
/// to have correct gradients. A bad spec is recorded as an issue too.
@discardableResult
public func expectCorrectGradients(
    specAt path: String, weights: String? = nil, batch: String? = nil, batchSize: Int = 4, seed: UInt64 = 0,
    checker: GradientChecker = GradientChecker(), sourceLocation: SourceLocation = #_sourceLocation
) -> CheckReport? {
    do {
        let report = try GradientChecks.spec(path: path, weights: weights, batch: batch, batchSize: batchSize,
                                             seed: seed, checker: checker)
        record(report.results, checker, sourceLocation)
        return report
    } catch {
        Issue.record("cannot check \(path): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

#if canImport(_Differentiation)
/// Expects a Swift `@differentiable(reverse)` function's derivative to match central
/// differences at `x`.
@discardableResult
public func expectCorrectGradients<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, checker: GradientChecker = GradientChecker(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiable(f, at: x, checker: checker)
    record(results, checker, sourceLocation)
    return results[0]
}

/// Expects a Swift `@differentiable(reverse)` function's differential and pullback to
/// agree at `x`: the dot-product test `⟨J u, w⟩ = ⟨u, Jᵀ w⟩`, no finite differences
/// (``GradientChecker/dotProductCheck(_:at:probes:name:target:)``; `f` needs a differential,
/// such as a custom `@derivative(of:)` returning `(value:, differential:)`).
@discardableResult
public func expectDotProduct<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4,
    checker: GradientChecker = GradientChecker(), sourceLocation: SourceLocation = #_sourceLocation
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiableDotProduct(f, at: x, probes: probes, checker: checker)
    record(results, checker, sourceLocation)
    return results[0]
}

/// Expects a Swift `@differentiable(reverse)` function's gradient to pass the Taylor test
/// at `x`: the remainder `|f(x + h·v) − f(x) − h·∇f·v|` shrinks at rate 2
/// (``CheckMode/taylor(probes:)``).
@discardableResult
public func expectTaylorConvergence<T>(
    of f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4,
    checker: GradientChecker = GradientChecker(), sourceLocation: SourceLocation = #_sourceLocation
) -> TensorCheckResult where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    let results = GradientChecks.differentiableTaylor(f, at: x, probes: probes, checker: checker)
    record(results, checker, sourceLocation)
    return results[0]
}
#endif

private func record(_ results: [TensorCheckResult], _ checker: GradientChecker, _ location: SourceLocation) {
    for message in GradientFailure.messages(results, tolerance: checker.tolerance) {
        Issue.record(Comment(rawValue: message), sourceLocation: location)
    }
}
#endif
