/// `learning_rate_jump`: the logged learning rate grows by at least
/// ``HealthThresholds/learningRateJump`` times from one step to the next (a warm-up that
/// ends in a jump, a schedule in the wrong unit). One finding names the largest jump.
/// Info on its own; the report raises it to a warning when other findings follow from it
/// (see ``CausalOrder``). Needs `learning_rate` on at least two steps; a start from zero
/// is a warm-up, not a jump.
enum LearningRateJumpDetector: HealthDetector {
    static let judgesFiniteStepsOnly = false

    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        var best: (index: Int, factor: Double, before: Double, after: Double)?
        var previous: Double?
        for (i, r) in run.learningRate.enumerated() {
            guard let r, r.isFinite else { continue }
            if let p = previous, p > 0, r >= t.learningRateJump * p, r / p > (best?.factor ?? 0) {
                best = (i, r / p, p, r)
            }
            previous = r
        }
        guard let best else { return [] }
        return [HealthFinding(
            kind: .learningRateJump, severity: .info,
            message: "The learning rate jumped from \(NumberText.short(best.before)) to \(NumberText.short(best.after)) "
                + "at step \(run.step(best.index)) (\(NumberText.times(best.factor))).",
            firstStep: run.step(best.index), lastStep: run.step(best.index),
            evidence: [.init("learning_rate_before", best.before), .init("learning_rate_after", best.after),
                       .init("factor", best.factor)],
            suggestion: "Check the schedule: warm up gradually (linearly over hundreds of steps) to a peak that was "
                + "stable at a small scale, and check the unit of the schedule's values (a rate, not a percentage).")]
    }
}
