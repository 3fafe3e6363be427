/// `loss_divergence`: the loss runs away.
///
/// - critical: the loss becomes non-finite after finite steps, or a finite loss exceeds
///   ``HealthThresholds/divergenceFactor`` times the loss before it — the larger of the
///   lowest loss so far and the smaller of the baseline and the first loss (AutoTrainer:
///   NaN loss; DeepDiagnosis: loss increasing);
/// - warning: the loss at the end has given back more than
///   ``HealthThresholds/divergenceRegression`` of the progress from the baseline to its
///   lowest point, and is at least twice that point (both on the loss smoothed by a
///   running median over a tenth of the run).
///
/// The ratio rules need a positive baseline and a non-negative minimum (losses of the
/// usual kinds); other losses get the non-finite rule only.
enum LossDivergenceDetector: HealthDetector {
    static let judgesFiniteStepsOnly = false

    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        guard run.count >= 2 else { return [] }
        let finite = run.loss.enumerated().filter { $0.element.isFinite }
        let firstNonfinite = run.loss.firstIndex { !$0.isFinite }
        let w = run.window(t)
        let base = SeriesMath.median(finite.prefix(w).map(\.element))
        let minimum = finite.min { $0.element < $1.element }
        var evidence: [HealthFinding.Evidence] = []
        if let base { evidence.append(.init("baseline_loss", base)) }
        if let minimum {
            evidence.append(.init("min_loss", minimum.element))
            evidence.append(.init("min_step", Double(run.step(minimum.offset))))
        }
        let suggestion = "Lower the learning rate (try a tenth), warm it up or decay it, and clip the global gradient "
            + "norm; use the from_logits form of cross-entropy so the loss itself cannot overflow."

        if let bad = firstNonfinite, bad > 0, !finite.isEmpty, finite[0].offset < bad {
            let lastBad = run.loss.lastIndex { !$0.isFinite } ?? bad
            evidence.append(.init("last_finite_loss", run.loss[..<bad].last(where: { $0.isFinite }) ?? .nan))
            return [HealthFinding(kind: .lossDivergence, severity: .critical,
                                  message: "The loss became \(NumberText.short(run.loss[bad])) at step \(run.step(bad)) "
                                    + "after \(NumberText.count(bad, "finite step")).",
                                  firstStep: run.step(bad), lastStep: run.step(lastBad), evidence: evidence,
                                  suggestion: suggestion)]
        }
        guard let base, let minimum, base > 0, minimum.element >= 0 else { return [] }
        // Each step is judged against the loss before it: the larger of the smaller of the
        // baseline and the first loss (so a blow-up inside the baseline window still counts)
        // and the lowest loss so far (so a loss that starts high and falls never counts).
        let floor = Swift.min(base, finite[0].element)
        var lowest = finite[0].element
        var over: [(offset: Int, element: Double, reference: Double)] = []
        for entry in finite.dropFirst() {
            let reference = Swift.max(floor, lowest)
            // The point's peak: a spike inside a bucket of a downsampled run still counts.
            let peak = run.lossPeak.indices.contains(entry.offset) ? run.lossPeak[entry.offset] : entry.element
            if reference > 0, peak.isFinite, peak > t.divergenceFactor * reference {
                over.append((entry.offset, peak, reference))
            }
            lowest = Swift.min(lowest, entry.element)
        }
        if let firstOver = over.first, let lastOver = over.last {
            let peak = over.max { $0.element / $0.reference < $1.element / $1.reference }!
            let factor = peak.element / peak.reference
            evidence += [.init("peak_loss", peak.element), .init("peak_step", Double(run.step(peak.offset))),
                         .init("reference_loss", peak.reference), .init("factor", factor)]
            return [HealthFinding(kind: .lossDivergence, severity: .critical,
                                  message: "The loss rose to \(NumberText.short(peak.element)) at step "
                                    + "\(run.step(peak.offset)), \(NumberText.times(factor)) the lowest loss before it "
                                    + "(\(NumberText.short(peak.reference))); it was above "
                                    + "\(NumberText.times(t.divergenceFactor)) on \(NumberText.count(over.count, "step")).",
                                  firstStep: run.step(firstOver.offset), lastStep: run.step(lastOver.offset),
                                  evidence: evidence, suggestion: suggestion)]
        }
        // Progress lost: compare the end with the lowest point of the loss smoothed by a
        // running median, so that a single low batch (or the troughs of an oscillating
        // loss) does not count as progress.
        guard run.count >= t.minimumSteps else { return [] }
        let smoothed = SeriesMath.runningMedian(finite.map(\.element), window: Swift.max(w, finite.count / 10))
        guard let low = smoothed.enumerated().min(by: { $0.element < $1.element }), let end = smoothed.last,
              base > low.element, low.element >= 0 else { return [] }
        let given = end - low.element
        let progress = base - low.element
        guard given > t.divergenceRegression * progress, end >= 2 * low.element else { return [] }
        let lowStep = run.step(finite[low.offset].offset)
        let firstAbove = smoothed.indices.first { $0 > low.offset && smoothed[$0] > low.element + t.divergenceRegression * progress }
        evidence += [.init("smoothed_min_loss", low.element), .init("final_loss", end),
                     .init("progress_lost", given / progress)]
        return [HealthFinding(kind: .lossDivergence, severity: .warning,
                              message: "The loss fell to \(NumberText.short(low.element)) around step \(lowStep) "
                                + "(running median) and climbed back to \(NumberText.short(end)): "
                                + "\(NumberText.percent(given / progress)) of the progress from its baseline "
                                + "\(NumberText.short(base)) is lost.",
                              firstStep: firstAbove.map { run.step(finite[$0].offset) }, lastStep: run.step(run.count - 1),
                              evidence: evidence, suggestion: suggestion)]
    }
}
