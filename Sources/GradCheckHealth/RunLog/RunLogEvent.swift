/// One line of a run log.
public enum RunLogEvent: Sendable, Equatable {
    /// `run_start`: what was trained.
    case runStart(RunStart)
    /// `step`: one optimiser step.
    case step(RunStep)
    /// `epoch`: the end of an epoch.
    case epoch(RunEpoch)
    /// `alert`: a live rule fired.
    case alert(HealthAlert)
    /// `run_end`: how the run ended.
    case runEnd(RunEnd)

    /// The `event` name of the line.
    public var name: String {
        switch self {
        case .runStart: return "run_start"
        case .step: return "step"
        case .epoch: return "epoch"
        case .alert: return "alert"
        case .runEnd: return "run_end"
        }
    }
}
