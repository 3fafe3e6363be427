/// A rule over a whole run: reads the columns of a log and returns what it finds.
protocol HealthDetector: Sendable {
    /// Whether the rule sees only the steps before the first non-finite value (the numbers
    /// after it are NaN debris, not training). True for all but the rules about going
    /// non-finite: `nonfinite`, `loss_divergence` and `exploding_gradients`.
    static var judgesFiniteStepsOnly: Bool { get }

    /// The findings on `run` under `thresholds` (empty when the rule does not apply or
    /// the log lacks the fields it needs).
    static func findings(in run: RunSeries, thresholds: HealthThresholds) -> [HealthFinding]
}

extension HealthDetector {
    static var judgesFiniteStepsOnly: Bool { true }
}

/// Every rule, in the order their findings are ranked on equal severity and step (before
/// ``CausalOrder`` puts causes first).
enum HealthDetectors {
    static let all: [any HealthDetector.Type] = [
        NonfiniteDetector.self,
        LossDivergenceDetector.self,
        ExplodingGradientsDetector.self,
        VanishingGradientsDetector.self,
        DeadUnitsDetector.self,
        SaturationDetector.self,
        AttentionCollapseDetector.self,
        UpdateRatioDetector.self,
        LearningRateJumpDetector.self,
        OscillatingLossDetector.self,
        LossPlateauDetector.self,
    ]

    /// All findings, most severe first, then by first step, then in rule order.
    static func findings(in run: RunSeries, thresholds: HealthThresholds) -> [HealthFinding] {
        let finite = run.firstNonfiniteIndex.map { run.prefix($0) } ?? run
        var ranked: [(rank: Int, finding: HealthFinding)] = []
        for detector in all {
            let seen = detector.judgesFiniteStepsOnly ? finite : run
            for f in detector.findings(in: seen, thresholds: thresholds) { ranked.append((ranked.count, f)) }
        }
        ranked.sort { a, b in
            if a.finding.severity != b.finding.severity { return a.finding.severity > b.finding.severity }
            let sa = a.finding.firstStep ?? Int.max, sb = b.finding.firstStep ?? Int.max
            if sa != sb { return sa < sb }
            return a.rank < b.rank
        }
        return ranked.map(\.finding)
    }
}
