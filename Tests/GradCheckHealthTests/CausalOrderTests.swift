import Foundation
import Testing
@testable import GradCheckHealth

/// Root causes first, consequences under them (``CausalOrder``).
@Suite struct CausalOrderTests {
    /// A run that diverges at step 40 (loss ×100, gradients of the first layer collapse
    /// after it): the vanishing gradients follow from the divergence.
    static let divergedThenVanishing = Synthetic.run(
        steps: 100, loss: { t in t < 40 ? Synthetic.healthyLoss(t) : 200 },
        grad: { k, t in t < 42 ? 0.5 : (k == 1 ? 1e-9 : 0.5) })

    @Test func vanishingAfterADivergenceIsItsConsequence() throws {
        let r = HealthReport(log: Self.divergedThenVanishing)
        let divergence = try #require(r.findings(.lossDivergence).first)
        let vanishing = try #require(r.findings(.vanishingGradients).first)
        #expect(divergence.isRootCause)
        #expect(vanishing.consequenceOf == divergence.id)
        #expect(r.rootCause?.id == divergence.id)
        #expect(r.findings.first?.id == divergence.id)
        #expect(r.depth(of: vanishing) == 1)
    }

    @Test func consequencesAreRenderedUnderTheirCause() throws {
        let r = HealthReport(log: Self.divergedThenVanishing)
        let text = r.text()
        #expect(text.contains("Root cause: loss_divergence"))
        let cause = try #require(text.range(of: "CRITICAL  loss_divergence"))
        let consequence = try #require(text.range(of: "└─ "))
        #expect(cause.lowerBound < consequence.lowerBound)
        #expect(text.contains("consequence of loss_divergence"))
        let json = r.json()
        #expect(json["root_cause"]?.stringValue == "loss_divergence")
        let findings = json["findings"]?.arrayValue ?? []
        #expect(findings.contains { $0["kind"]?.stringValue == "vanishing_gradients"
            && $0["consequence_of"]?.stringValue == "loss_divergence" })
        #expect(r.markdown().contains("consequence of `loss_divergence`"))
        let html = r.html()
        #expect(html.contains("class=\"consequences\""))
        #expect(html.contains("root cause"))
    }

    @Test func aFindingBeforeTheOtherIsNotItsConsequence() throws {
        // Vanishing from the start, divergence much later: two independent problems.
        let log = Synthetic.run(steps: 100, loss: { t in t < 80 ? Synthetic.healthyLoss(t) : 200 },
                                grad: { k, _ in k == 1 ? 1e-9 : 0.5 })
        let r = HealthReport(log: log)
        let vanishing = try #require(r.findings(.vanishingGradients).first)
        #expect(vanishing.isRootCause)
        #expect(try #require(r.findings(.lossDivergence).first).isRootCause)
    }

    @Test func deadUnitsExplainVanishingOnlyAtOrBelowTheirLayer() {
        #expect(CausalOrder.canCause(.deadUnits, .vanishingGradients))
        #expect(!CausalOrder.canCause(.vanishingGradients, .deadUnits))
        #expect(!CausalOrder.canCause(.lossPlateau, .explodingGradients))
        // The chain is acyclic on equal steps: a kind never explains one before it.
        for (i, a) in CausalOrder.chain.enumerated() {
            for b in CausalOrder.chain[..<i] where CausalOrder.canCause(a, b) {
                #expect(CausalOrder.chain.firstIndex(of: b)! < i)
            }
        }
    }

    @Test func repeatedIdsGetSuffixes() {
        let a = HealthFinding(kind: .deadUnits, severity: .warning, message: "", layer: "d", firstStep: 1, suggestion: "")
        let ordered = CausalOrder.order([a, a], run: RunSeries(), thresholds: HealthThresholds())
        #expect(Set(ordered.map(\.id)) == ["dead_units:d", "dead_units:d#2"])
    }

    @Test func aLearningRateJumpWithoutConsequencesIsInfo() throws {
        var log = Synthetic.run(steps: 60)
        for k in log.steps.indices { log.steps[k].learningRate = k < 30 ? 1e-3 : 1e-1 }
        let r = HealthReport(log: log)
        let jump = try #require(r.findings(.learningRateJump).first)
        #expect(jump.severity == .info)
        #expect(jump.firstStep == 31)
        #expect(r.verdict == .healthy)
    }
}

/// `grad_zero_fraction`: dead units told from vanishing gradients without activations.
@Suite struct ZeroGradientDeadUnitsTests {
    static func log(zero: Double, belowNorm: Double = 0.3) -> RunLog {
        var log = Synthetic.run(steps: 60, grad: { k, _ in k == 1 ? belowNorm : 0.5 })
        for t in log.steps.indices {
            for p in log.steps[t].parameters.indices where log.steps[t].parameters[p].name == "dense_2/bias" {
                log.steps[t].parameters[p].gradZeroFraction = zero
            }
        }
        return log
    }

    @Test func mostlyExactlyZeroBiasGradientsAreDeadUnits() throws {
        let r = HealthReport(log: Self.log(zero: 0.8))
        let f = try #require(r.findings(.deadUnits).first)
        #expect(f.layer == "dense_2")
        #expect(f.parameter == "dense_2/bias")
        #expect(f.severity == .warning)
        #expect(f.evidence("median_zero_gradient_fraction") == 0.8)
        #expect(f.message.contains("layers below still get gradient"))
        #expect(HealthReport(log: Self.log(zero: 0.95)).findings(.deadUnits).first?.severity == .critical)
    }

    @Test func fewZeroGradientsAreNot() {
        #expect(HealthReport(log: Self.log(zero: 0.2)).findings(.deadUnits).isEmpty)
    }

    @Test func theZeroFractionRoundTripsThroughTheLog() throws {
        let step = RunStep(step: 1, loss: 1, parameters: [ParameterStats(name: "b", gradNorm: 0.1, gradZeroFraction: 0.25)])
        let line = RunLogEvent.step(step).jsonLine
        #expect(line.contains("\"grad_zero_fraction\":0.25"))
        let back = try RunLog.parse(line + "\n")
        #expect(back.steps.first?.parameters.first?.gradZeroFraction == 0.25)
        #expect(throws: RunLogError.self) {
            try RunLog.parse(#"{"event":"step","step":1,"loss":1,"params":{"b":{"grad_norm":1,"grad_zero_fraction":2}}}"# + "\n")
        }
    }
}
