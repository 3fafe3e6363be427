/// What a clipper does when a gradient holds NaN or ±inf. The user chooses; there is no
/// silent default in the toolkit's commands.
///
/// The rule is applied before the policy, to the whole gradient set: a single non-finite
/// element anywhere triggers it.
public enum NonFiniteRule: String, Sendable, CaseIterable {
    /// Throw a ``ClippingError`` naming the parameter, the first offending element and
    /// what it is. The gradients are left as they were.
    case error
    /// Leave the gradients as they are and return telemetry whose
    /// ``ClipTelemetry/action`` is ``NonFiniteAction/skippedStep``: the trainer is
    /// expected to skip this optimiser step. Stateful policies (AutoClip, ZClip) do not
    /// record the step.
    case skipStep = "skip_step"
    /// Replace every non-finite element by 0, then clip the result as usual; telemetry
    /// then describes the clipping of the repaired gradient.
    case zero
    /// Leave the non-finite elements in place and clip anyway: norms become NaN or inf.
    /// In the default (exact) formulas a policy whose scale factor would be computed from
    /// a non-finite norm leaves the gradients unchanged, so the trainer sees the original
    /// values; in ``ClipCompatibility/pytorch`` mode the PyTorch arithmetic is reproduced
    /// (an inf norm zeroes finite elements and turns infinite ones into NaN). Value
    /// clipping maps ±inf to ±c and keeps NaN.
    case propagate

    /// The names as the CLI writes them: `error`, `skip_step`, `zero`, `propagate`.
    public static var names: [String] { allCases.map(\.rawValue) }
}
