/// `oscillating_loss` (AutoTrainer's unstable loss): over the last half of the run, the
/// median step-to-step change of the loss exceeds ``HealthThresholds/oscillationAmplitude``
/// times its baseline, and the direction of change flips on at least half of the steps:
/// the loss swings rather than descends. Mini-batch noise around a falling loss stays well
/// below this. Needs ``HealthThresholds/minimumSteps`` steps.
enum OscillatingLossDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        let finite = run.loss.enumerated().filter { $0.element.isFinite }
        guard finite.count >= t.minimumSteps,
              let base = SeriesMath.median(finite.prefix(run.window(t)).map(\.element)), base > 0 else { return [] }
        let recent = Array(finite.suffix(finite.count / 2))
        guard recent.count >= 3 else { return [] }
        var changes: [Double] = []
        var flips = 0
        for k in 1..<recent.count {
            let d = recent[k].element - recent[k - 1].element
            changes.append(abs(d))
            if k >= 2, d * (recent[k - 1].element - recent[k - 2].element) < 0 { flips += 1 }
        }
        let flipFraction = Double(flips) / Double(Swift.max(1, recent.count - 2))
        guard let change = SeriesMath.median(changes) else { return [] }
        let amplitude = change / base
        guard amplitude > t.oscillationAmplitude, flipFraction >= 0.5 else { return [] }
        return [HealthFinding(
            kind: .oscillatingLoss, severity: .warning,
            message: "Over the last half of the run the loss moves by \(NumberText.short(change)) per step (median), "
                + "\(NumberText.percent(amplitude)) of its baseline \(NumberText.short(base)), and changes direction on "
                + "\(NumberText.percent(flipFraction)) of the steps.",
            firstStep: run.step(recent[0].offset), lastStep: run.step(recent[recent.count - 1].offset),
            evidence: [.init("median_change", change), .init("baseline_loss", base), .init("amplitude", amplitude),
                       .init("direction_changes", flipFraction)],
            suggestion: "Lower the learning rate (try a third to a tenth) or decay it, use a larger batch, and use "
                + "momentum or Adam; clipping the global gradient norm damps the largest swings.")]
    }
}
