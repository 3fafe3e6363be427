/// The outcome of applying the non-finite rule to a gradient set.
enum Preparation: Sendable {
    /// Go on and clip.
    case proceed(PreparedGradients)
    /// The rule was `skip_step` and some element was not finite: return this telemetry
    /// without clipping.
    case skip(ClipTelemetry)
}
