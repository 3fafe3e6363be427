/// `saturation`, per bounded layer (sigmoid, tanh, ...): at least
/// ``HealthThresholds/saturatedFraction`` of its outputs lie within 1% of the bounds, on at
/// least ``HealthThresholds/sustainedFraction`` of the last half of the measurements
/// (Glorot & Bengio 2010 on saturated sigmoid layers; DeepDiagnosis saturated activation).
/// Needs the `saturated_fraction` statistics on at least three steps.
enum SaturationDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        ActivationFractionRule.hits(run, threshold: t.saturatedFraction, sustainedFraction: t.sustainedFraction,
                                    series: \.saturatedFraction).map { h in
            HealthFinding(
                kind: .saturation, severity: .warning,
                message: "\(NumberText.percent(h.median)) of the outputs of \(h.layer) sit within 1% of the activation's "
                    + "bounds (median over the last half of the run), where its slope, and so the gradient, is nearly zero.",
                layer: h.layer, firstStep: run.step(h.first), lastStep: run.step(h.last),
                evidence: [.init("median_saturated_fraction", h.median), .init("max_saturated_fraction", h.peak),
                           .init("fraction_of_measurements", h.fraction), .init("measurements", Double(h.measurements))],
                suggestion: "Standardise the inputs, use Glorot (xavier) initialisation for sigmoid/tanh layers, lower "
                    + "the learning rate, add batch normalisation before the activation, or use ReLU-family activations "
                    + "in hidden layers.")
        }
    }
}
