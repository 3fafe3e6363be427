#if canImport(_Differentiation)
import _Differentiation
import GradCheckTensor

extension GradientChecker {
    /// The dot-product test for a Swift `@differentiable(reverse)` function: its forward
    /// mode (the differential of `valueWithDifferential(at:of:)`) against its reverse mode
    /// (the pullback of `valueWithPullback(at:of:)`), `⟨J u, w⟩ = ⟨u, Jᵀ w⟩` for `probes`
    /// seeded random `u` (over the scalars of `x`) and `w` (over the scalar result).
    ///
    /// No finite differences: both sides are exact up to rounding, so the tolerance is
    /// ``dotProductTolerance`` (1e-9, see ``defaultDotProductTolerance``) of
    /// `max(|J u|·|w|, ‖u‖·‖Jᵀ w‖)`, with the floor ``dotProductAbsoluteFloor``` · ‖u‖·|w|`.
    /// It catches a custom `@derivative(of:)` whose differential and pullback disagree (one
    /// of them is wrong); one formula that both share is caught by the central-difference
    /// check (``check(_:at:name:target:)-(_,T,_,_)``) or the Taylor test (``CheckMode/taylor(probes:)``).
    /// The result's ``TensorCheckResult/method`` is ``CheckMethod/dotProduct``; each probe
    /// reports `⟨u, Jᵀ w⟩` as `analytic` and `⟨J u, w⟩` as `numerical`.
    ///
    /// - Important: `f` needs a differential. Swift 6.3 has one for a function with a custom
    ///   `@derivative(of:)` returning `(value:, differential:)`, or for any function when the
    ///   module that defines it is compiled with
    ///   `-Xfrontend -enable-experimental-forward-mode-differentiation`; for any other
    ///   function the Swift runtime stops the program ("JVP does not exist"), and the
    ///   toolchain offers no way to find that out beforehand.
    /// - Complexity: one differential and one pullback evaluation per probe.
    public func dotProductCheck<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4,
        name: String = "x", target: String = "function"
    ) -> TensorCheckResult
    where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        let (_, pullback) = valueWithPullback(at: x, of: f)
        let (_, differential) = valueWithDifferential(at: x, of: f)
        let template = pullback(1)
        let n = template.flattenedScalars.count
        let argument = CheckArgument(name: name, value: Tensor(unchecked: [n], scalars: x.flattenedScalars))
        var checks: [ElementCheck] = []
        for k in 0..<probes {
            var rng = SeededRNG(seed: seed, name: "dot|\(target)|\(name)|\(k)")
            let u = (0..<n).map { _ in rng.normal() }
            let w = rng.normal()
            let ju = differential(T.TangentVector(flattenedScalars: u, like: template))
            let jtw = pullback(w).flattenedScalars
            let uNorm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let jtwNorm = jtw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            // A tangent of another length breaks ScalarFlattenable's rule: NaN fails the probe.
            let backward = jtw.count == n ? zip(u, jtw).reduce(0) { $0 + $1.0 * $1.1 } : .nan
            checks.append(dotProductProbe(k, forward: ju * w, backward: backward,
                                          scale: Swift.max(Swift.abs(ju * w), uNorm * jtwNorm),
                                          sizes: uNorm * Swift.abs(w)))
        }
        var result = summarize(checks, argument: argument, target: target, checked: probes)
        result.method = .dotProduct
        return result
    }
}
#endif
