/// How a run ended: the `status` of its `run_end` line.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    /// Every planned epoch ran.
    case completed
    /// Early stopping ended the run.
    case stoppedEarly = "stopped_early"
    /// The run was stopped because it went non-finite or diverged.
    case diverged
    /// The run was interrupted (a signal, an error in the training loop).
    case interrupted
}
