import GradCheckTensor

/// A gradient-clipping policy: maps the gradient set of one step (and, for adaptive
/// policies, the parameters and the policy's own state) to clipped gradients plus
/// ``ClipTelemetry``.
///
/// Clippers are value types; stateful ones (``AutoClipper``, ``ZClipper``) keep their
/// history in the value, so a lab that runs several policies side by side simply holds
/// one clipper per run, and copying a clipper forks its state.
public protocol GradientClipper: Sendable {
    /// The policy's name as the CLI writes it (`global_norm:1`); ``ClipperParser`` reads
    /// it back.
    var description: String { get }

    /// Clips `gradients` in place and says what it did.
    ///
    /// - Parameters:
    ///   - gradients: one tensor per parameter, in model order.
    ///   - parameters: the current parameter values in the same order. AGC needs them
    ///     (shapes must match the gradients'; the unit grouping follows
    ///     ``AGCClipper/layout``); the other policies ignore them, so they may be empty.
    /// - Returns: the step's telemetry. When its ``ClipTelemetry/action`` is
    ///   ``NonFiniteAction/skippedStep`` the caller should not apply the update.
    /// - Complexity: O(n) in the number of elements, a few passes; AutoClip adds
    ///   O(steps) for its sorted history.
    /// - Throws: ``ClippingError`` for a non-finite gradient under
    ///   ``NonFiniteRule/error``, a setting out of range, or (AGC) parameters that do
    ///   not match the gradients or are not finite. The gradients are unchanged when it
    ///   throws.
    mutating func clip<S: TensorScalar>(_ gradients: inout [Tensor<S>], parameters: [Tensor<S>]) throws(ClippingError) -> ClipTelemetry
}
