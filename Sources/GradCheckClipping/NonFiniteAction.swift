/// What the ``NonFiniteRule`` did on a step where some gradient element was not finite
/// (``ClipTelemetry/action``; `nil` on steps where everything was finite).
public enum NonFiniteAction: String, Sendable, Equatable, CaseIterable {
    /// The rule was ``NonFiniteRule/skipStep``: nothing was clipped or zeroed, and the
    /// caller should not apply this update.
    case skippedStep = "skipped_step"
    /// The rule was ``NonFiniteRule/zero``: the non-finite elements were set to 0 before
    /// clipping.
    case zeroed
    /// Non-finite values were left in place (``NonFiniteRule/propagate``, or non-finite
    /// *parameter* values under AGC with the `zero` rule, which cannot change parameters).
    case propagated
}
