/// A training run that cannot start or go on: data that do not fit the model, a
/// configuration out of range, or non-finite gradients under the `error` rule.
public struct TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, and where.
    public var message: String
    /// Whether the run failed because it went non-finite (its `run_end` says `diverged`
    /// rather than `interrupted`).
    public var diverged: Bool

    /// An error saying `message`; `diverged` when the run went non-finite.
    public init(_ message: String, diverged: Bool = false) {
        self.message = message
        self.diverged = diverged
    }

    public var description: String { message }
}
