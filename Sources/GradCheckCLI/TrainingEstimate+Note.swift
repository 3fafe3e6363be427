import Foundation
import GradCheck

extension TrainingEstimate {
    /// The note `train` and `clip-lab` print before a run estimated at
    /// ``CheckCommand/longRun`` seconds or more; `nil` for a shorter one.
    ///
    /// - Parameter less: The flags that make the run shorter, for the hint.
    func longRunNote(less: String) -> String? {
        guard seconds >= CheckCommand.longRun else { return nil }
        let runsText = runs > 1 ? " × \(runs) runs" + (parallel > 1 ? " (\(Swift.min(parallel, runs)) at a time)" : "") : ""
        let total = seconds.isFinite && seconds < 1e12 ? "about \(Self.duration(seconds))" : "longer than anyone will wait"
        return "note: \(stepsPerRun) steps\(runsText); one step measured at \(sci(secondsPerStep)) s, "
            + "so this takes \(total) (\(less) run less)"
    }

    /// Seconds as `45 s`, `12 min`, `3.5 h` or `2.1 days`.
    static func duration(_ s: Double) -> String {
        switch s {
        case ..<120: return "\(Int(s.rounded())) s"
        case ..<7200: return "\(Int((s / 60).rounded())) min"
        case ..<172_800: return String(format: "%.1f h", s / 3600)
        default: return String(format: "%.1f days", s / 86_400)
        }
    }
}
