import GradCheckTensor

/// A scalar function of named tensors that the verifier can perturb one element at a
/// time, together with its analytic gradient.
///
/// Conform to check anything: a layer, a whole model with its loss, a Swift function.
/// ``ClosureObjective`` wraps plain closures; the model objectives exploit a network's
/// structure (a perturbation only changes what lies downstream of it, and many
/// perturbations share one batched forward pass).
///
/// Implementations must be safe to call from several threads at once.
public protocol PerturbableObjective: Sendable {
    /// The arguments the function is checked against, with their current values.
    var arguments: [CheckArgument] { get }

    /// The analytic gradient of the function with respect to each argument, in order,
    /// each of its argument's shape (the VJP with seed 1).
    func analyticGradients() -> [Tensor<Double>]

    /// `f(x') − f(x)` for each change: `x'` is `x` with element `elements[k]` (flat,
    /// row-major) of argument `argument` set to `values[k]`.
    ///
    /// Return the difference, not `f(x')`: an implementation can then subtract the
    /// unperturbed terms before summing, which keeps rounding at the size of what changed.
    func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double]

    /// `f(x + d_k) − f(x)` for each direction `d_k`, a tensor of argument `argument`'s
    /// shape added to the whole argument at once (the probes of fast mode).
    func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double]
}

/// A named tensor argument of a ``PerturbableObjective``.
public struct CheckArgument: Sendable, Equatable {
    /// The name reported in findings: a parameter name, or `inputs`.
    public var name: String
    /// The current value.
    public var value: Tensor<Double>

    /// An argument.
    public init(name: String, value: Tensor<Double>) {
        self.name = name
        self.value = value
    }
}
