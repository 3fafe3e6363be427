import Foundation
import Testing
@testable import GradCheckHealth

/// Each rule on small synthetic runs: it fires on the problem and stays quiet on a
/// healthy run.
@Suite struct DetectorTests {
    static let relu = [RunLayer(name: "dense_1", activation: .reluFamily, units: 8),
                       RunLayer(name: "dense_2", activation: .sigmoid, units: 8)]

    /// A healthy run with every optional field: weight and update norms at a 1e-3 ratio,
    /// a few dead units, little saturation.
    static var healthy: RunLog {
        Synthetic.run(steps: 200, grad: { k, t in 0.3 * Double(k) * (1 + 0.1 * sin(Double(t))) },
                      weight: { _, _ in 5 }, update: { _, t in 0.005 * (1 + 0.2 * cos(Double(t))) },
                      layers: relu, stats: { name, t in
                          t % 10 == 1 ? LayerStats(name: name, mean: 0.3, std: 0.5,
                                                   deadFraction: name == "dense_1" ? 0.05 : nil,
                                                   saturatedFraction: name == "dense_2" ? 0.1 : nil) : nil
                      })
    }

    @Test func healthyRunHasNoFindings() {
        let report = HealthReport(log: Self.healthy)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.verdict == .healthy)
    }

    @Test func emptyAndTinyLogsHaveNoFindings() {
        #expect(HealthReport(log: RunLog()).findings.isEmpty)
        #expect(HealthReport(log: Synthetic.run(steps: 1)).findings.isEmpty)
        #expect(HealthReport(log: Synthetic.run(steps: 3)).findings.isEmpty)
    }

    // MARK: Vanishing

    @Test func vanishingByRatioToTheOutputLayer() throws {
        let log = Synthetic.run(grad: { k, _ in [1e-5, 1e-2, 1][k - 1] })
        let f = try #require(HealthReport(log: log).findings(.vanishingGradients).first)
        #expect(f.layer == "dense_1")
        #expect(f.severity == .warning)
        #expect(abs(f.evidence("median_ratio")! - 1e-5) < 1e-12)
        #expect(f.evidence("layers_affected") == 1)
        #expect(f.firstStep == 1 && f.lastStep == 100)
        #expect(f.suggestion.contains("He initialisation"))
    }

    @Test func vanishingByAbsoluteNormAndCriticalWhenZero() throws {
        let log = Synthetic.run(grad: { _, _ in 0 })
        let f = try #require(HealthReport(log: log).findings(.vanishingGradients).first)
        #expect(f.severity == .critical)
        #expect(f.evidence("layers_affected") == 3)
    }

    @Test func vanishingNamesSaturatingActivations() throws {
        let layers = [RunLayer(name: "dense_1", activation: .sigmoid), RunLayer(name: "dense_2", activation: .sigmoid)]
        let log = Synthetic.run(grad: { k, _ in k == 3 ? 1 : 1e-5 }, layers: layers)
        let f = try #require(HealthReport(log: log).findings(.vanishingGradients).first)
        #expect(f.suggestion.hasPrefix("The hidden layers use saturating activations (dense_1, dense_2)"))
    }

    @Test func vanishingMustBeSustained() {
        // Low on 40% of the steps only.
        let log = Synthetic.run(grad: { k, t in k == 1 && t % 5 < 2 ? 1e-6 : 1 })
        #expect(!Synthetic.kinds(log).contains(.vanishingGradients))
        var lenient = HealthThresholds()
        lenient.sustainedFraction = 0.3
        #expect(Synthetic.kinds(log, lenient).contains(.vanishingGradients))
    }

    // MARK: Exploding

    @Test func explodingByGrowthOverTheBaseline() throws {
        // 10^(k/5 + 0.1) times the baseline k steps after step 60: 126× at step 70, 79× at 69.
        let log = Synthetic.run(grad: { _, t in t < 60 ? 0.5 : 0.5 * pow(10, Double(t - 60) / 5 + 0.1) })
        let f = try #require(HealthReport(log: log).findings(.explodingGradients).first)
        #expect(f.severity == .critical)                 // reaches 1e4× the baseline
        let base = try #require(f.evidence("baseline_norm"))
        #expect(abs(base - 0.5 * 6.0.squareRoot()) < 1e-9)
        #expect(f.firstStep == 70)                       // 10^(10/5) = 100×
        #expect(f.evidence("peak_step") == 100)
        #expect(f.suggestion.hasPrefix("Clip the global gradient norm at about 1.22 "))   // 0.5·√6, before step 70
    }

    @Test func explodingWarningByAbsoluteNormAndOverflow() throws {
        var log = Synthetic.run(grad: { _, _ in 2e4 })
        var f = try #require(HealthReport(log: log).findings(.explodingGradients).first)
        #expect(f.severity == .warning && f.evidence("steps_over") == 100)
        log.steps[50].gradNorm = .infinity
        f = try #require(HealthReport(log: log).findings(.explodingGradients).first)
        #expect(f.severity == .critical && f.evidence("overflow_step") == 51)
        // Huge from the first step: no growth, but past the critical ceiling.
        f = try #require(HealthReport(log: Synthetic.run(grad: { _, _ in 1e7 })).findings(.explodingGradients).first)
        #expect(f.severity == .critical && f.evidence("growth") == 1)
        #expect(f.suggestion.hasPrefix("Clip the global gradient norm (1.0 is the usual start"))
    }

    @Test func explodingTowardsTheInput() throws {
        let log = Synthetic.run(grad: { k, _ in k == 1 ? 100 : 1 })
        let f = try #require(HealthReport(log: log).findings(.explodingGradients).first)
        #expect(f.layer == "dense_1" && f.message.contains("grow towards the input"))
    }

    @Test func aSingleSmallSpikeIsNotExploding() {
        let log = Synthetic.run(grad: { _, t in t == 50 ? 5 : 0.5 })
        #expect(!Synthetic.kinds(log).contains(.explodingGradients))
    }

    @Test func theLoggedGlobalNormIsPreferred() throws {
        let log = Synthetic.run(grad: { _, _ in 1 }, globalNorm: { t in t < 50 ? 1 : 1e3 })
        #expect(HealthReport(log: log).findings(.explodingGradients).count == 1)
    }

    // MARK: Non-finite

    @Test func nonFiniteLocatesTheFirstStepAndOrigin() throws {
        var log = Synthetic.run()
        for t in 40..<100 { log.steps[t].loss = .nan }
        log.steps[39].nonfinite = [NonfiniteOrigin(pass: .inputs)]
        let f = try #require(HealthReport(log: log).findings(.nonfinite).first)
        #expect(f.severity == .critical && f.firstStep == 40 && f.lastStep == 100)
        #expect(f.layer == nil && f.message.contains("in the inputs"))
        #expect(f.evidence("steps_affected") == 61)
        #expect(f.suggestion.hasPrefix("Check the data"))
    }

    @Test func nonFiniteGradientNamesTheParameter() throws {
        var log = Synthetic.run()
        log.steps[10].parameters[2].gradNorm = .nan
        let f = try #require(HealthReport(log: log).findings(.nonfinite).first)
        #expect(f.parameter == "dense_2/kernel" && f.layer == "dense_2" && f.firstStep == 11)
    }

    // MARK: Loss divergence

    @Test func divergenceWhenTheLossRunsAway() throws {
        let log = Synthetic.run(loss: { t in t < 50 ? 2.3 - 0.01 * Double(t) : 2 * pow(1.5, Double(t - 50)) })
        let f = try #require(HealthReport(log: log).findings(.lossDivergence).first)
        #expect(f.severity == .critical)
        #expect(f.evidence("baseline_loss") != nil && f.evidence("factor")! > 10)
    }

    @Test func divergenceWhenTheLossBecomesNonFinite() throws {
        let log = Synthetic.run(loss: { t in t < 30 ? 2 : (t < 35 ? 3 * Double(t) : .infinity) })
        let f = try #require(HealthReport(log: log).findings(.lossDivergence).first)
        #expect(f.severity == .critical && f.firstStep == 35)
    }

    @Test func divergenceWarningWhenProgressIsLost() throws {
        let log = Synthetic.run(loss: { t in t < 50 ? 2.3 - 0.044 * Double(t) : 0.1 + 0.03 * Double(t - 50) })
        let f = try #require(HealthReport(log: log).findings(.lossDivergence).first)
        #expect(f.severity == .warning)
        #expect(f.evidence("progress_lost")! > 0.5)
    }

    @Test func noisyButFallingLossDoesNotDiverge() {
        let log = Synthetic.run(loss: { t in Synthetic.healthyLoss(t) * (t % 2 == 0 ? 1.3 : 0.7) })
        let kinds = Synthetic.kinds(log)
        #expect(!kinds.contains(.lossDivergence) && !kinds.contains(.oscillatingLoss) && !kinds.contains(.lossPlateau))
    }

    // MARK: Dead units and saturation

    @Test func deadUnitsWhenMostUnitsDieAndStayDead() throws {
        let log = Synthetic.run(layers: Self.relu, stats: { name, t in
            name == "dense_1" ? LayerStats(name: name, deadFraction: t < 30 ? 0.1 : 0.95) : nil
        })
        let f = try #require(HealthReport(log: log).findings(.deadUnits).first)
        #expect(f.layer == "dense_1" && f.severity == .critical && f.firstStep == 30)
        #expect(f.evidence("median_dead_fraction") == 0.95)
        #expect(f.suggestion.contains("leaky ReLU"))
    }

    @Test func sparseMeasurementsReportTheirOwnSteps() throws {
        // Statistics every 10th step (the monitor's default), dead from step 41 on.
        let log = Synthetic.run(layers: Self.relu, stats: { name, t in
            name == "dense_1" && t % 10 == 1 ? LayerStats(name: name, deadFraction: t > 40 ? 0.7 : 0) : nil
        })
        let f = try #require(HealthReport(log: log).findings(.deadUnits).first)
        #expect(f.firstStep == 41 && f.lastStep == 91)
        #expect(f.evidence("measurements") == 10)
        // Gradients logged on some steps only.
        var sparse = Synthetic.run(grad: { k, _ in k == 1 ? 1e-5 : 1 })
        for t in sparse.steps.indices where t % 3 != 0 { sparse.steps[t].parameters.removeAll { $0.name.hasPrefix("dense_1") } }
        let v = try #require(HealthReport(log: sparse).findings(.vanishingGradients).first)
        #expect(v.firstStep == 1 && v.lastStep == 100)
    }

    @Test func oneMeasurementIsNotSustained() {
        let log = Synthetic.run(weight: { _, _ in 1 }, update: { _, _ in 0.5 }, layers: Self.relu, stats: { name, t in
            name == "dense_1" && t == 1 ? LayerStats(name: name, deadFraction: 1) : nil
        })
        var sparse = log
        for t in sparse.steps.indices where t > 1 {
            for i in sparse.steps[t].parameters.indices {
                sparse.steps[t].parameters[i].weightNorm = nil
                sparse.steps[t].parameters[i].updateNorm = nil
            }
        }
        #expect(Synthetic.kinds(sparse).isDisjoint(with: [.deadUnits, .largeUpdates]))
        #expect(Synthetic.kinds(log).contains(.largeUpdates))
    }

    @Test func deadUnitsThatRecoverAreNotReported() {
        let log = Synthetic.run(layers: Self.relu, stats: { name, t in
            name == "dense_1" ? LayerStats(name: name, deadFraction: t < 40 ? 0.8 : 0.1) : nil
        })
        #expect(!Synthetic.kinds(log).contains(.deadUnits))
    }

    @Test func saturationOfABoundedLayer() throws {
        let log = Synthetic.run(layers: Self.relu, stats: { name, _ in
            name == "dense_2" ? LayerStats(name: name, saturatedFraction: 0.7) : nil
        })
        let f = try #require(HealthReport(log: log).findings(.saturation).first)
        #expect(f.layer == "dense_2" && f.severity == .warning)
        var t = HealthThresholds()
        t.saturatedFraction = 0.8
        #expect(!Synthetic.kinds(log, t).contains(.saturation))
    }

    // MARK: Plateau and oscillation

    @Test func plateauWhenTheLossNeverMoves() throws {
        let log = Synthetic.run(loss: { t in 2.3 + 0.01 * sin(Double(t)) })
        let f = try #require(HealthReport(log: log).findings(.lossPlateau).first)
        #expect(f.severity == .warning)
    }

    @Test func stallAfterProgressIsInfo() throws {
        let log = Synthetic.run(steps: 200, loss: { t in t < 60 ? 2.3 - 0.02 * Double(t) : 1.1 })
        let f = try #require(HealthReport(log: log).findings(.lossPlateau).first)
        #expect(f.severity == .info)
        #expect(HealthReport(log: log).verdict == .healthy)
    }

    @Test func plateauNeedsEnoughSteps() {
        #expect(!Synthetic.kinds(Synthetic.run(steps: 15, loss: { _ in 2 })).contains(.lossPlateau))
    }

    @Test func oscillationWhenTheLossSwings() throws {
        let log = Synthetic.run(loss: { t in t % 2 == 0 ? 3 : 0.8 })
        let f = try #require(HealthReport(log: log).findings(.oscillatingLoss).first)
        #expect(f.evidence("direction_changes") == 1)
        #expect(f.evidence("amplitude")! > 0.25)
    }

    // MARK: Update ratios

    @Test func smallAndLargeUpdates() throws {
        let small = Synthetic.run(weight: { _, _ in 10 }, update: { k, _ in k == 2 ? 1e-6 : 1e-2 })
        let s = try #require(HealthReport(log: small).findings(.smallUpdates).first)
        #expect(s.parameter == "dense_2/kernel" && s.layer == "dense_2")
        #expect(abs(s.evidence("median_ratio")! - 1e-7) < 1e-15)
        #expect(s.evidence("parameters_affected") == 1)

        let large = Synthetic.run(weight: { _, _ in 1 }, update: { k, _ in k == 3 ? 2 : 0.3 })
        let l = try #require(HealthReport(log: large).findings(.largeUpdates).first)
        #expect(l.severity == .critical && l.parameter == "dense_3/kernel")
        #expect(l.evidence("parameters_affected") == 3)
        #expect(!Synthetic.kinds(large).contains(.smallUpdates))
    }

    @Test func biasesAreLeftOutOfUpdateRatios() {
        // Zero-initialised biases: tiny weight norm, large ratio, not a finding.
        var log = Synthetic.run(weight: { _, _ in 5 }, update: { _, _ in 5e-3 })
        for t in log.steps.indices {
            for i in log.steps[t].parameters.indices where log.steps[t].parameters[i].name.hasSuffix("bias") {
                log.steps[t].parameters[i].weightNorm = 1e-3
            }
        }
        #expect(HealthReport(log: log).findings.isEmpty)
    }

    // MARK: Required fields only

    @Test func requiredFieldsOnlyStillJudgeGradientsAndLoss() throws {
        let text = (1...60).map { t -> String in
            let g = t < 30 ? 0.5 : 0.5 * pow(10, Double(t - 30) / 4)
            return #"{"event":"step","step":\#(t),"loss":\#(2.0 / Double(t)),"params":{"fc1.weight":{"grad_norm":\#(g)},"fc2.weight":{"grad_norm":\#(g)}}}"#
        }.joined(separator: "\n")
        let report = HealthReport(log: try RunLog.parse(text))
        let f = try #require(report.findings(.explodingGradients).first)
        #expect(f.severity == .critical)
        #expect(report.verdict == .unhealthy)
    }

    @Test func findingsAreOrderedBySeverityThenStep() {
        var log = Synthetic.run(loss: { t in t % 2 == 0 ? 3 : 0.8 }, grad: { k, _ in k == 1 ? 1e-6 : 1 })
        log.steps[80].loss = .nan
        let report = HealthReport(log: log)
        let severities = report.findings.map(\.severity)
        #expect(severities == severities.sorted(by: >))
        #expect(report.findings.first?.kind == .nonfinite)
        #expect(report.verdict == .unhealthy)
    }
}

/// After the first non-finite step the numbers are debris: rules about training see only
/// the steps before it.
@Suite struct NonfiniteTruncationTests {
    @Test func debrisAfterNaNIsNotJudged() throws {
        // Finite and healthy for 30 steps, then NaN weights: zero gradients, "dead" units
        // and NaN ratios afterwards must not become vanishing, dead-unit or update findings.
        var log = Synthetic.run(weight: { _, _ in 5 }, update: { _, _ in 5e-3 },
                                layers: DetectorTests.relu, stats: { name, t in
                                    name == "dense_1" ? LayerStats(name: name, mean: t > 30 ? .nan : 0.3,
                                                                   deadFraction: t > 30 ? .nan : 0.1) : nil
                                })
        for t in 30..<100 {
            log.steps[t].loss = .nan
            for i in log.steps[t].parameters.indices {
                log.steps[t].parameters[i].gradNorm = t == 30 ? .nan : 0
                log.steps[t].parameters[i].weightNorm = .nan
            }
        }
        let report = HealthReport(log: log)
        #expect(Set(report.findings.map(\.kind)) == [.nonfinite, .lossDivergence], "\(report.findings.map(\.kind))")
        #expect(report.findings(.nonfinite).first?.firstStep == 31)
    }

    @Test func zeroGradientSaysSo() throws {
        let log = Synthetic.run(grad: { k, _ in k == 1 ? 0 : 1 })
        let f = try #require(HealthReport(log: log).findings(.vanishingGradients).first)
        #expect(f.severity == .critical && f.message.contains("exactly zero"))
        #expect(f.suggestion.hasPrefix("A gradient of exactly zero"))
    }

    @Test func nanActivationsAreNeitherDeadNorSaturated() throws {
        let m = try HealthMonitor(model: "m", parameters: [], layers: [RunLayer(name: "r", activation: .reluFamily, units: 2),
                                                                      RunLayer(name: "s", activation: .sigmoid)],
                                  options: .everything)
        try m.recordStep(loss: 1, gradients: [:], activations: ["r": [Float.nan, 0, 0, 0], "s": [Float.nan, 1]])
        let layers = m.log.steps[0].layers
        #expect(layers[0].deadFraction!.isNaN && layers[1].saturatedFraction!.isNaN && layers[0].mean!.isNaN)
    }
}
