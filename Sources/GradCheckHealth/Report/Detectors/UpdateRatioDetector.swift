/// `small_updates` and `large_updates` (Karpathy's rule of thumb: ‖update‖ / ‖weight‖
/// should be about 1e-3; DeepDiagnosis unchanged weight): a weight tensor whose ratio
/// stays below ``HealthThresholds/smallUpdateRatio`` or above
/// ``HealthThresholds/largeUpdateRatio`` on at least ``HealthThresholds/sustainedFraction``
/// of the steps. One finding per kind names the worst tensor and counts the others; large
/// updates are critical above ``HealthThresholds/criticalUpdateRatio``.
///
/// Bias-like vectors (rank ≤ 1) are left out: they start at zero, so their ratio says
/// little. Needs `weight_norm` and `update_norm` on at least three steps.
enum UpdateRatioDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        struct Hit {
            var parameter: RunParameter
            var median: Double
            var fraction: Double
            var first: Int
            var last: Int
        }
        var small: [Hit] = [], large: [Hit] = []
        for p in run.parameters where !p.isVector {
            let ratios = SeriesMath.present(p.updateRatio)
            guard ratios.count >= ActivationFractionRule.minimumMeasurements,
                  let median = SeriesMath.median(ratios.map(\.value)) else { continue }
            if let h = SeriesMath.holds(ratios, { $0 < t.smallUpdateRatio }), h.fraction >= t.sustainedFraction {
                small.append(Hit(parameter: p.info, median: median, fraction: h.fraction,
                                 first: h.first, last: h.last))
            }
            if let h = SeriesMath.holds(ratios, { $0 > t.largeUpdateRatio }), h.fraction >= t.sustainedFraction {
                large.append(Hit(parameter: p.info, median: median, fraction: h.fraction,
                                 first: h.first, last: h.last))
            }
        }
        var findings: [HealthFinding] = []
        func finding(_ kind: FindingKind, _ hits: [Hit], worst: Hit, severity: Severity, comparison: String,
                     suggestion: String) -> HealthFinding {
            let size = worst.median == 0 ? "zero" : "\(NumberText.short(worst.median))× its weight norm"
            var message = "The update of \(worst.parameter.name) is \(size) (median), \(comparison) on "
                + "\(NumberText.percent(worst.fraction)) of the steps measured; about 1e-3 × the weight norm is healthy."
            if hits.count > 1 {
                message += " Affected: \(NonfiniteDetector.names(hits.map(\.parameter.name)))."
            }
            return HealthFinding(kind: kind, severity: severity, message: message, layer: worst.parameter.layer,
                                 parameter: worst.parameter.name, firstStep: run.step(hits.map(\.first).min() ?? worst.first),
                                 lastStep: run.step(hits.map(\.last).max() ?? worst.last),
                                 evidence: [.init("median_ratio", worst.median), .init("fraction_of_steps", worst.fraction),
                                            .init("parameters_affected", Double(hits.count))],
                                 suggestion: suggestion)
        }
        if let worst = small.min(by: { $0.median < $1.median }) {
            findings.append(finding(.smallUpdates, small, worst: worst, severity: .warning,
                                    comparison: "below \(NumberText.short(t.smallUpdateRatio))",
                                    suggestion: "Raise the learning rate (aim for an update/weight ratio near 1e-3), check "
                                        + "that the optimiser is given these parameters, and that their gradients do not "
                                        + "vanish."))
        }
        if let worst = large.max(by: { $0.median < $1.median }) {
            findings.append(finding(.largeUpdates, large, worst: worst,
                                    severity: worst.median > t.criticalUpdateRatio ? .critical : .warning,
                                    comparison: "above \(NumberText.short(t.largeUpdateRatio))",
                                    suggestion: "Lower the learning rate (aim for an update/weight ratio near 1e-3), or "
                                        + "clip the gradients; very small weights (a poor initialisation) also inflate "
                                        + "the ratio."))
        }
        return findings
    }
}
