/// `dead_units`, per ReLU-family layer, from whichever evidence the log has:
///
/// - **activations** (`layers[...].dead_fraction`): at least ``HealthThresholds/deadFraction``
///   of the layer's units output zero for whole batches, on at least
///   ``HealthThresholds/sustainedFraction`` of the last half of the measurements
///   (AutoTrainer γ; DeepDiagnosis dead node);
/// - **gradients only** (`params[...].grad_zero_fraction` of the layer's bias): the bias
///   gradient is *exactly* zero for at least that fraction of the units, sustained the same
///   way, while a layer above it still gets gradient. A dead ReLU unit passes no gradient
///   at all, so its bias gradient is exactly zero on every batch; a vanishing gradient is
///   small but not zero. This is how a log with only gradient norms and zero fractions
///   (what a foreign logger writes cheaply) tells dead units from vanishing gradients.
///
/// Critical from ``HealthThresholds/deadCriticalFraction``. Needs at least three
/// measurements; a layer with activation statistics is judged on those.
enum DeadUnitsDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        var findings = ActivationFractionRule.hits(run, threshold: t.deadFraction, sustainedFraction: t.sustainedFraction,
                                                   series: \.deadFraction).map { h in
            finding(h, run: run, thresholds: t,
                    message: "\(NumberText.percent(h.median)) of the units of \(h.layer) are dead (median over the last "
                        + "half of the run; at most \(NumberText.percent(h.peak))): they output zero for every sample and "
                        + "get no gradient.", evidence: "dead_fraction")
        }
        let judged = Set(findings.compactMap(\.layer))
        let declaredReLU = Set(run.declaredLayers.filter { $0.activation == .reluFamily }.map(\.name))
        let layers = run.layerGradients
        for (k, layer) in layers.enumerated() where !judged.contains(layer.name) {
            // A layer declared with another activation cannot have dead ReLU units.
            if let declared = run.declaredLayers.first(where: { $0.name == layer.name }),
               !declaredReLU.contains(declared.name) { continue }
            guard let bias = run.parameters.first(where: { $0.info.layer == layer.name && $0.isVector
                                                          && $0.gradZeroFraction.contains { $0 != nil } }),
                  let h = ActivationFractionRule.hit(layer.name, bias.gradZeroFraction, threshold: t.deadFraction,
                                                     sustainedFraction: t.sustainedFraction) else { continue }
            // Some layer above must still get gradient: otherwise nothing reaches this one
            // either, and the zero is no evidence about its units.
            let above = layers[(k + 1)...].compactMap { SeriesMath.median($0.norm) }
            guard above.contains(where: { $0 > 0 }) || k == layers.count - 1 else { continue }
            let below = layers[..<k].compactMap { l in SeriesMath.median(l.norm).map { (l.name, $0) } }
            var message = "The bias gradient of \(h.layer) is exactly zero for \(NumberText.percent(h.median)) of its "
                + "units (\(bias.info.name), median over the last half of the run; at most "
                + "\(NumberText.percent(h.peak))): those units pass no gradient for any sample, so they are dead "
                + "ReLU units, not vanishing gradients"
            if let live = below.first(where: { $0.1 > 0 }) {
                message += ", and the layers below still get gradient (\(live.0): \(NumberText.short(live.1)), median)."
            } else {
                message += "."
            }
            var f = finding(h, run: run, thresholds: t, message: message, evidence: "zero_gradient_fraction")
            f.parameter = bias.info.name
            findings.append(f)
        }
        return findings
    }

    private static func finding(_ h: ActivationFractionRule.Hit, run: RunSeries, thresholds t: HealthThresholds,
                                message: String, evidence name: String) -> HealthFinding {
        HealthFinding(
            kind: .deadUnits, severity: h.median >= t.deadCriticalFraction ? .critical : .warning,
            message: message, layer: h.layer, firstStep: run.step(h.first), lastStep: run.step(h.last),
            evidence: [.init("median_\(name)", h.median), .init("max_\(name)", h.peak),
                       .init("fraction_of_measurements", h.fraction), .init("measurements", Double(h.measurements))],
            suggestion: "Lower the learning rate (a large step pushes biases far negative), use leaky ReLU, ELU or "
                + "GELU so that units keep a gradient below zero, initialise biases at zero or slightly positive, "
                + "use He initialisation, and normalise the inputs of the layer.")
    }
}
