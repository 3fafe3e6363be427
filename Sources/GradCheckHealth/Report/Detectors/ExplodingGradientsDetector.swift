/// `exploding_gradients` (Pascanu et al. 2013; AutoTrainer β₃):
///
/// - the global gradient norm (before clipping) reaches ``HealthThresholds/explodingGrowth``
///   times its baseline (warning; critical from ``HealthThresholds/explodingCriticalGrowth``
///   times, or when it overflows to infinity);
/// - or it reaches ``HealthThresholds/explodingNorm`` (warning; critical from
///   ``HealthThresholds/explodingCriticalNorm``);
/// - or a layer's gradient norm stays above ``HealthThresholds/explodingLayerRatio`` times
///   the output layer's (warning): gradients grow towards the input.
///
/// The suggestion names a clipping threshold: the median pre-clip norm of the steps before
/// the explosion.
enum ExplodingGradientsDetector: HealthDetector {
    static let judgesFiniteStepsOnly = false

    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        var findings: [HealthFinding] = []
        let norms = SeriesMath.present(run.gradNorm)
        // Peaks (the largest norm of each point) for what crosses a limit: a spike inside a
        // bucket of a downsampled run still counts. Equal to `norms` for width-1 points.
        let peaks = SeriesMath.present(run.gradNormPeak)
        let overflowed = run.gradNormPeak.enumerated().filter { $0.element == .infinity }.map(\.offset)
        let median = SeriesMath.median(norms.map(\.value))
        func suggestion(stableBefore limit: Int?) -> String {
            // Clip at the typical norm of the stable stretch (Pascanu et al.: the average
            // norm over many updates); a run that never had one gets the usual 1.0.
            let stable = norms.filter { entry in limit.map { entry.index < $0 } ?? true }.map(\.value)
            let clip = stable.count >= 3 ? SeriesMath.median(stable) : nil
            let advice = clip.map { "Clip the global gradient norm at about \(NumberText.short($0)) (the median pre-clip "
                + "norm while the run was stable)" }
                ?? "Clip the global gradient norm (1.0 is the usual start: the run never had a stable stretch)"
            return advice + ", lower the learning rate (try a tenth), and check the initialisation: weights scaled to "
                + "the fan-in (Glorot for tanh/sigmoid, He for ReLU) keep the norm steady with depth."
        }

        if !norms.isEmpty || !overflowed.isEmpty {
            let w = run.window(t)
            let base = SeriesMath.median(norms.prefix(w).map(\.value))
            let peak = peaks.max { $0.value < $1.value }
            let growth = (base.flatMap { b in peak.map { $0.value / b } }).flatMap { $0.isFinite ? $0 : nil } ?? 0
            let growthLimit = base.flatMap { $0 > 0 ? t.explodingGrowth * $0 : nil } ?? .infinity
            let limit = Swift.min(growthLimit, t.explodingNorm)
            var over = peaks.filter { $0.value >= limit }.map(\.index)
            over = (over + overflowed).sorted()
            if let first = over.first, let last = over.last {
                let critical = growth >= t.explodingCriticalGrowth || !overflowed.isEmpty
                    || (peak?.value ?? 0) >= t.explodingCriticalNorm
                let severity: Severity = critical ? .critical : .warning
                var evidence: [HealthFinding.Evidence] = []
                if let base { evidence.append(.init("baseline_norm", base)) }
                if let peak {
                    evidence += [.init("peak_norm", peak.value), .init("peak_step", Double(run.step(peak.index)))]
                }
                evidence.append(.init("growth", growth))
                if let median { evidence.append(.init("median_norm", median)) }
                evidence.append(.init("steps_over", Double(over.count)))
                if !overflowed.isEmpty { evidence.append(.init("overflow_step", Double(run.step(overflowed[0])))) }
                var message: String
                if let peak, let base, peak.value >= growthLimit {
                    message = "The global gradient norm grew from a baseline of \(NumberText.short(base)) to "
                        + "\(NumberText.short(peak.value)) at step \(run.step(peak.index)) (\(NumberText.times(growth)))."
                } else if let peak {
                    message = "The global gradient norm reached \(NumberText.short(peak.value)) at step "
                        + "\(run.step(peak.index)), above \(NumberText.short(t.explodingNorm))."
                } else {
                    message = "The global gradient norm overflowed."
                }
                if let o = overflowed.first { message += " It overflowed to infinity at step \(run.step(o))." }
                let layer = peak.flatMap { p in strongestLayer(run, at: p.index) }
                findings.append(HealthFinding(kind: .explodingGradients, severity: severity, message: message, layer: layer,
                                              firstStep: run.step(first), lastStep: run.step(last), evidence: evidence,
                                              suggestion: suggestion(stableBefore: first)))
            }
        }

        // Gradients growing towards the input, layer against the output layer.
        if findings.isEmpty, let output = run.layerGradients.last, run.layerGradients.count >= 2 {
            for layer in run.layerGradients.dropLast() {
                let ratios = SeriesMath.present(zip(layer.norm, output.norm).map { n, o in
                    guard let n, let o, o > 0 else { return nil }
                    return n / o
                })
                guard let h = SeriesMath.holds(ratios, { $0 > t.explodingLayerRatio }), h.fraction >= t.sustainedFraction,
                      let ratio = SeriesMath.median(ratios.map(\.value)) else { continue }
                findings.append(HealthFinding(
                    kind: .explodingGradients, severity: .warning,
                    message: "The gradient of \(layer.name) is \(NumberText.times(ratio)) the output layer's "
                        + "\(output.name) (median), above \(NumberText.times(t.explodingLayerRatio)) on "
                        + "\(NumberText.percent(h.fraction)) of the steps: gradients grow towards the input.",
                    layer: layer.name, firstStep: run.step(h.first), lastStep: run.step(h.last),
                    evidence: [.init("median_ratio", ratio), .init("fraction_of_steps", h.fraction)],
                    suggestion: suggestion(stableBefore: nil)))
                break
            }
        }
        return findings
    }

    /// The layer with the largest gradient norm at step index `i`.
    static func strongestLayer(_ run: RunSeries, at i: Int) -> String? {
        run.layerGradients.max { ($0.norm[i] ?? -1) < ($1.norm[i] ?? -1) }.flatMap { $0.norm[i] == nil ? nil : $0.name }
    }
}
