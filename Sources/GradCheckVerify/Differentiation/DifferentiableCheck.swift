#if canImport(_Differentiation)
import _Differentiation
import GradCheckTensor

extension GradientChecker {
    /// Checks the reverse-mode derivative of a Swift `@differentiable(reverse)` function
    /// (its built-in derivative, or a custom `@derivative(of:)`) against central differences.
    ///
    /// The analytic gradient is `valueWithPullback(at: x, of: f).pullback(1)`; the
    /// numerical one perturbs each scalar of `x` (through ``ScalarFlattenable``) and
    /// re-evaluates `f`.
    ///
    /// - Parameters:
    ///   - name: the name reported for the argument.
    /// - Complexity: `2 · n` evaluations of `f` for `n` scalars (fewer with `maxElements`).
    public func check<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, name: String = "x", target: String = "function"
    ) -> TensorCheckResult
    where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        check(DifferentiableObjective.make(f, at: x, name: name), target: target)[0]
    }

    /// Checks a `@differentiable(reverse)` function with a `Float` result (computed in
    /// `Float`, so use ``CheckTolerance/float32``).
    public func check<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Float, at x: T, name: String = "x", target: String = "function"
    ) -> TensorCheckResult
    where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        let widened: @differentiable(reverse) (T) -> Double = { Double(f($0)) }
        return check(widened, at: x, name: name, target: target)
    }
}

/// A `@differentiable(reverse)` function of one argument as a ``PerturbableObjective``.
///
/// Build one with ``make(_:at:name:)``. (The objective keeps the function as a plain
/// closure and the gradient as a value: Swift 6.3 crashes when a generic initialiser
/// takes a `@differentiable` closure parameter, so the differentiable function is only
/// ever handled by a generic *function*.)
public struct DifferentiableObjective<T>: PerturbableObjective, @unchecked Sendable
where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
    // @unchecked: the point and the closures are only read after construction.
    let evaluate: (T) -> Double
    let x: T
    let base: Double
    let gradient: [Double]
    public let arguments: [CheckArgument]

    init(evaluate: @escaping (T) -> Double, x: T, base: Double, gradient: [Double], name: String) {
        self.evaluate = evaluate
        self.x = x
        self.base = base
        self.gradient = gradient
        let scalars = x.flattenedScalars
        self.arguments = [CheckArgument(name: name, value: Tensor(unchecked: [scalars.count], scalars: scalars))]
    }

    /// The objective of `f` at the point `x`: its value, and its gradient from
    /// `valueWithPullback(at: x, of: f).pullback(1)`.
    public static func make(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, name: String = "x"
    ) -> DifferentiableObjective {
        let (value, pullback) = valueWithPullback(at: x, of: f)
        let plain: (T) -> Double = { f($0) }
        return DifferentiableObjective(evaluate: plain, x: x, base: value,
                                       gradient: pullback(1).flattenedScalars, name: name)
    }

    public func analyticGradients() -> [Tensor<Double>] {
        let n = arguments[0].value.count
        // A tangent of another length breaks ScalarFlattenable's one rule; report NaN so
        // the check fails loudly instead of comparing the wrong scalars.
        guard gradient.count == n else { return [Tensor(repeating: .nan, shape: [n])] }
        return [Tensor(unchecked: [n], scalars: gradient)]
    }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        var scalars = x.flattenedScalars
        return zip(elements, values).map { e, v in
            let saved = scalars[e]
            scalars[e] = v
            defer { scalars[e] = saved }
            return evaluate(T(flattenedScalars: scalars, like: x)) - base
        }
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        let scalars = x.flattenedScalars
        return directions.map { d in
            evaluate(T(flattenedScalars: zip(scalars, d.scalars).map { $0 + $1 }, like: x)) - base
        }
    }
}
#endif
