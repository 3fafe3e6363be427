/// `attention_collapse`, per attention layer: its normalised attention entropy
/// (``LayerStats/attentionEntropy``) is at or below ``HealthThresholds/attentionEntropy``
/// on at least ``HealthThresholds/sustainedFraction`` of the last half of the
/// measurements: nearly every query attends to one key, the transformer's version of a
/// dead unit. The softmax is then saturated, so its gradient (`p·(1 − p)`) is nearly zero
/// and the layer's queries and keys stop learning; Zhai et al. (2023) tie this entropy
/// collapse to unstable and diverging transformer training. Needs the statistic on at
/// least three steps.
enum AttentionCollapseDetector: HealthDetector {
    static func findings(in run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        ActivationFractionRule.hits(run, threshold: t.attentionEntropy, side: .atMost, sustainedFraction: t.sustainedFraction,
                                    series: \.attentionEntropy).map { h in
            HealthFinding(
                kind: .attentionCollapse, severity: .warning,
                message: "The attention of \(h.layer) has collapsed: its normalised attention entropy is "
                    + "\(NumberText.short(h.median)) (median over the last half of the run; at least "
                    + "\(NumberText.short(h.peak)); 1 is uniform, 0 is one key per query), so almost every query "
                    + "attends to a single key and the softmax passes almost no gradient to the queries and keys.",
                layer: h.layer, firstStep: run.step(h.first), lastStep: run.step(h.last),
                evidence: [.init("median_attention_entropy", h.median), .init("min_attention_entropy", h.peak),
                           .init("fraction_of_measurements", h.fraction), .init("measurements", Double(h.measurements))],
                suggestion: "Lower the learning rate or lengthen the warm-up, normalise the queries and keys (QK layer "
                    + "normalisation) or bound the attention logits, keep the pre-norm layout, add weight decay on the "
                    + "query and key kernels, or reparameterise them with spectral normalisation (σReparam, Zhai et al. "
                    + "2023).")
        }
    }
}
