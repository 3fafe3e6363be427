/// `dead_units`, per ReLU-family layer: at least ``HealthThresholds/deadFraction`` of its
/// units output zero for whole batches, on at least ``HealthThresholds/sustainedFraction``
/// of the last half of the measurements (AutoTrainer γ; DeepDiagnosis dead node). Critical
/// from ``HealthThresholds/deadCriticalFraction``. Needs the `dead_fraction` statistics on
/// at least three steps.
enum DeadUnitsDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        ActivationFractionRule.hits(run, threshold: t.deadFraction, sustainedFraction: t.sustainedFraction,
                                    series: \.deadFraction).map { h in
            HealthFinding(
                kind: .deadUnits, severity: h.median >= t.deadCriticalFraction ? .critical : .warning,
                message: "\(NumberText.percent(h.median)) of the units of \(h.layer) are dead (median over the last "
                    + "half of the run; at most \(NumberText.percent(h.peak))): they output zero for every sample and "
                    + "get no gradient.",
                layer: h.layer, firstStep: run.step(h.first), lastStep: run.step(h.last),
                evidence: [.init("median_dead_fraction", h.median), .init("max_dead_fraction", h.peak),
                           .init("fraction_of_measurements", h.fraction), .init("measurements", Double(h.measurements))],
                suggestion: "Lower the learning rate (a large step pushes biases far negative), use leaky ReLU, ELU or "
                    + "GELU so that units keep a gradient below zero, initialise biases at zero or slightly positive, "
                    + "use He initialisation, and normalise the inputs of the layer.")
        }
    }
}
