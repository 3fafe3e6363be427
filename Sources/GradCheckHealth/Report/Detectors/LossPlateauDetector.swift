/// `loss_plateau` (AutoTrainer's slow convergence; DeepDiagnosis loss not decreasing):
///
/// - warning: over the whole run the loss (median of the last window against the
///   baseline) improves by less than ``HealthThresholds/plateauImprovement`` of its
///   baseline, without rising past 1.5 times it (that is divergence);
/// - info: it improved before, but over the last half of the run it moves by less than
///   that fraction (up or down) while still above a quarter of its baseline.
///
/// Needs ``HealthThresholds/minimumSteps`` steps and a positive baseline.
enum LossPlateauDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        let finite = run.loss.enumerated().filter { $0.element.isFinite }
        guard finite.count >= t.minimumSteps else { return [] }
        let w = Swift.max(run.window(t), finite.count / 10)
        guard let base = SeriesMath.median(finite.prefix(w).map(\.element)),
              let end = SeriesMath.median(finite.suffix(w).map(\.element)), base > 0 else { return [] }
        let improvement = (base - end) / base
        let evidence: [HealthFinding.Evidence] = [.init("baseline_loss", base), .init("final_loss", end),
                                                  .init("improvement", improvement)]
        if improvement < t.plateauImprovement, end <= 1.5 * base {
            return [HealthFinding(
                kind: .lossPlateau, severity: .warning,
                message: "The loss did not improve: \(NumberText.short(base)) at the start, \(NumberText.short(end)) at "
                    + "the end (\(NumberText.percent(improvement)) better, less than "
                    + "\(NumberText.percent(t.plateauImprovement))).",
                firstStep: run.step(finite[0].offset), lastStep: run.step(finite[finite.count - 1].offset),
                evidence: evidence,
                suggestion: "Check that the gradients reach the parameters (see the gradient norms and update ratios), "
                    + "that the learning rate is not too small, that the labels match the loss (sparse labels for "
                    + "sparse_categorical_crossentropy), and that the inputs are standardised.")]
        }
        let middle = finite.count / 2
        guard middle >= w, let half = SeriesMath.median(finite[(middle - w)..<middle].map(\.element)) else { return [] }
        let late = (half - end) / base
        guard abs(late) < t.plateauImprovement, end > 0.25 * base, improvement >= t.plateauImprovement else { return [] }
        return [HealthFinding(
            kind: .lossPlateau, severity: .info,
            message: "The loss stalled over the last half of the run at \(NumberText.short(end)) "
                + "(\(NumberText.percent(end / base)) of its start), improving by \(NumberText.percent(late)) of its "
                + "baseline.",
            firstStep: run.step(finite[middle].offset), lastStep: run.step(finite[finite.count - 1].offset),
            evidence: evidence + [.init("late_improvement", late)],
            suggestion: "A decaying learning rate (or reduce-on-plateau) may take it lower; if the validation loss has "
                + "stalled too, early stopping saves the remaining epochs, and a larger model may be needed.")]
    }
}
