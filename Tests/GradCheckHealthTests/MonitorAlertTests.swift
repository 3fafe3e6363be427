import Foundation
import Testing
@testable import GradCheckHealth

/// The live rules fire once, on the step where the condition is met, and are written.
@Suite struct MonitorAlertTests {
    static let parameters = [RunParameter(name: "in/kernel", layer: "in", shape: [4]),
                             RunParameter(name: "out/kernel", layer: "out", shape: [4])]

    static func monitor() throws -> (HealthMonitor, RunLogWriter) {
        let writer = RunLogWriter()
        let m = try HealthMonitor(model: "m", parameters: parameters,
                                  layers: [RunLayer(name: "in", activation: .reluFamily, units: 4)],
                                  log: writer, options: .everything)
        return (m, writer)
    }

    /// A gradient of 4 equal elements with L2 norm `norm`.
    static func grad(_ norm: Double) -> [Double] { [Double](repeating: norm / 2, count: 4) }

    @Test func healthyStepsRaiseNothing() throws {
        let (m, writer) = try Self.monitor()
        for t in 1...50 {
            let alerts = try m.recordStep(loss: 2 / Double(t), gradients: ["in/kernel": Self.grad(0.5), "out/kernel": Self.grad(1)],
                                          activations: ["in": [1, 0, 2, 3, 0, 1, 1, 1] as [Float]])
            #expect(alerts.isEmpty)
        }
        #expect(m.alerts.isEmpty)
        #expect(!writer.text.contains("\"alert\""))
    }

    @Test func explodingNormFiresWarningThenCritical() throws {
        let (m, writer) = try Self.monitor()
        var fired: [(Int, HealthAlert)] = []
        var callbacks = 0
        m.onAlert = { _ in callbacks += 1 }
        for t in 1...30 {
            let norm = t <= 15 ? 1.0 : pow(10, Double(t - 15))   // ×10 per step after step 15
            for a in try m.recordStep(loss: 1, gradients: ["in/kernel": Self.grad(norm), "out/kernel": Self.grad(norm)]) {
                fired.append((t, a))
            }
        }
        let exploding = fired.filter { $0.1.kind == .explodingGradients }
        // 100× the baseline: warning; 1e4×: critical. The absolute ceilings (1e4, 1e6) are
        // reached later and do not repeat what was said: alerts only escalate.
        #expect(exploding.map(\.0) == [17, 19])
        #expect(exploding.map(\.1.severity) == [.warning, .critical])
        #expect(callbacks == fired.count)
        #expect(writer.lines.filter { $0.contains("exploding_gradients") }.count == 2)
    }

    @Test func nonFiniteLossStopsTheRun() throws {
        let (m, _) = try Self.monitor()
        try m.recordStep(loss: 1, gradients: ["in/kernel": Self.grad(1)])
        let alerts = try m.recordStep(loss: .infinity, gradients: ["in/kernel": Self.grad(1)])
        #expect(alerts.map(\.kind) == [.nonfinite])
        #expect(alerts[0].severity == .critical && alerts[0].step == 2)
        #expect(m.hasGoneNonfinite)
        // Once per run.
        #expect(try m.recordStep(loss: .nan, gradients: ["in/kernel": Self.grad(1)]).isEmpty)
    }

    @Test func locatedNonFiniteNamesTheLayer() throws {
        let (m, _) = try Self.monitor()
        let alerts = try m.recordStep(loss: .nan, gradients: [:],
                                      nonfinite: [NonfiniteOrigin(pass: .forward, layer: "in", op: "matmul")])
        #expect(alerts.first?.layer == "in")
        #expect(alerts.first?.message.contains("forward pass, layer in, op matmul") == true)
    }

    @Test func lossDivergenceFires() throws {
        let (m, _) = try Self.monitor()
        var kinds: [FindingKind] = []
        for t in 1...20 {
            let loss = t <= 12 ? 2.0 : 2.0 * pow(3, Double(t - 12))
            kinds += try m.recordStep(loss: loss, gradients: ["in/kernel": Self.grad(1)]).map(\.kind)
        }
        #expect(kinds == [.lossDivergence])
        #expect(m.alerts[0].step == 15)   // 2·3³ = 54 > 10 × 2
    }

    @Test func vanishingNeedsConsecutiveSteps() throws {
        let (m, _) = try Self.monitor()
        var steps: [Int] = []
        for t in 1...12 {
            // Steps 1–3 are low, 4 recovers, 5 on stay low: the fifth consecutive low step is 9.
            let low = t != 4
            for a in try m.recordStep(loss: 1, gradients: ["in/kernel": Self.grad(low ? 1e-5 : 1), "out/kernel": Self.grad(1)])
            where a.kind == .vanishingGradients {
                steps.append(t)
                #expect(a.layer == "in")
            }
        }
        #expect(steps == [9])
    }

    @Test func deadUnitsFireAfterConsecutiveMeasurements() throws {
        let (m, _) = try Self.monitor()
        var fired: [HealthAlert] = []
        for _ in 1...6 {
            fired += try m.recordStep(loss: 1, gradients: [:], activations: ["in": [0, 0, 0, 1, 0, 0, 0, 2] as [Float]])
        }
        #expect(fired.map(\.kind) == [.deadUnits])
        #expect(fired[0].step == 5 && fired[0].severity == .warning && fired[0].layer == "in")
    }

    @Test func alertsCanBeTurnedOff() throws {
        var options = MonitorOptions()
        options.alerts = false
        let m = try HealthMonitor(model: "m", parameters: Self.parameters, options: options)
        #expect(try m.recordStep(loss: .nan, gradients: ["in/kernel": Self.grad(1)]).isEmpty)
        // The stop signal does not depend on the alerts.
        #expect(m.hasGoneNonfinite)
    }
}
