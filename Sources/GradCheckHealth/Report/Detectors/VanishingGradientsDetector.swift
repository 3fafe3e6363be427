/// `vanishing_gradients` (Glorot & Bengio 2010; AutoTrainer β₁): a layer's gradient norm
/// stays below ``HealthThresholds/vanishingRatio`` times the output layer's, or below
/// ``HealthThresholds/vanishingNorm`` in absolute terms, on at least
/// ``HealthThresholds/sustainedFraction`` of the steps. One finding names the affected
/// layer nearest the input; critical when its median ratio is below
/// ``HealthThresholds/vanishingCriticalRatio`` or its gradient is exactly zero.
///
/// Layers are those that own parameters, in model order; the last one is the output
/// layer.
enum VanishingGradientsDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        guard let output = run.layerGradients.last else { return [] }
        struct Hit {
            var name: String
            var ratio: Double?
            var norm: Double
            var fraction: Double
            var first: Int
            var last: Int
        }
        var hits: [Hit] = []
        for (k, layer) in run.layerGradients.enumerated() {
            let norms = SeriesMath.present(layer.norm)
            guard let medianNorm = SeriesMath.median(norms.map(\.value)) else { continue }
            let isOutput = k == run.layerGradients.count - 1
            var ratios: [Double] = []
            // Either rule, on the steps where the layer has a finite norm.
            var low: [(index: Int, value: Double)] = []
            for (i, n) in norms {
                var isLow = n < t.vanishingNorm
                if !isOutput, let o = output.norm[i], o > 0, o.isFinite {
                    ratios.append(n / o)
                    isLow = isLow || n / o < t.vanishingRatio
                }
                low.append((i, isLow ? 1 : 0))
            }
            guard let h = SeriesMath.holds(low, { $0 > 0 }), h.fraction >= t.sustainedFraction else { continue }
            hits.append(Hit(name: layer.name, ratio: SeriesMath.median(ratios), norm: medianNorm,
                            fraction: h.fraction, first: h.first, last: h.last))
        }
        guard let worst = hits.first else { return [] }
        let critical = worst.norm == 0 || (worst.ratio.map { $0 < t.vanishingCriticalRatio } ?? false)
        var message = "The gradient of \(worst.name) is "
        if worst.norm == 0 {
            message += "exactly zero (median)"
        } else if let r = worst.ratio, r < t.vanishingRatio {
            message += "\(NumberText.times(r)) the output layer's (\(output.name)), median over the run"
        } else {
            message += "\(NumberText.short(worst.norm)) (median), below \(NumberText.short(t.vanishingNorm))"
        }
        message += ", on \(NumberText.percent(worst.fraction)) of the steps"
        message += hits.count > 1 ? "; \(hits.count) of \(run.layerGradients.count) layers are affected." : "."
        var evidence: [HealthFinding.Evidence] = []
        if let r = worst.ratio { evidence.append(.init("median_ratio", r)) }
        evidence.append(.init("median_norm", worst.norm))
        if let o = SeriesMath.median(output.norm) { evidence.append(.init("output_median_norm", o)) }
        evidence += [.init("layers_affected", Double(hits.count)), .init("fraction_of_steps", worst.fraction)]

        let saturating = run.declaredLayers.filter { if case .saturating = $0.activation { return true } else { return false } }
        let advice = "ReLU-family activations (ReLU, leaky ReLU, GELU) in the hidden layers with He initialisation "
            + "(he_normal), normalisation layers (batch_normalization or layer_normalization), or residual "
            + "connections; a shallower network also helps."
        let suggestion: String
        if worst.norm == 0 {
            suggestion = "A gradient of exactly zero means no signal reaches the layer: look for dead ReLU units "
                + "after it (see dead_units; lower the learning rate, use leaky ReLU, do not start biases negative), "
                + "a parameter the loss does not depend on, or a stop-gradient. Otherwise use " + advice
        } else if saturating.isEmpty {
            suggestion = "Use " + advice
        } else {
            suggestion = "The hidden layers use saturating activations (\(NonfiniteDetector.names(saturating.map(\.name)))), "
                + "whose slope is at most 1/4 for sigmoid: use " + advice
        }
        return [HealthFinding(kind: .vanishingGradients, severity: critical ? .critical : .warning, message: message,
                              layer: worst.name, firstStep: run.step(worst.first), lastStep: run.step(worst.last),
                              evidence: evidence, suggestion: suggestion)]
    }
}
