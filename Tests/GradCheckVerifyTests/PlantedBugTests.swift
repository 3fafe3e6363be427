import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// A wrong VJP is reported as a failure at the right parameter and element; the same
/// model with correct VJPs passes.
@Suite struct PlantedBugTests {
    static let loss = LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)

    func model(_ layers: [any Layer]) throws -> Model {
        try Model(name: "planted", inputShape: [5], layers: layers, loss: Self.loss)
    }

    func batch(_ model: Model, seed: UInt64 = 1) -> (Tensor<Double>, Targets<Double>) {
        var rng = SeededRNG(seed: seed)
        let x = Tensor<Double>(unchecked: [4, 5], scalars: (0..<20).map { _ in rng.normal() })
        return (x, .labels([0, 2, 1, 2]))
    }

    func run(_ layers: [any Layer]) throws -> CheckReport {
        let m = try model(layers)
        let (x, y) = batch(m)
        return try ModelChecker().check(m, parameters: m.initialParameters(seed: 3), inputs: x, targets: y)
    }

    func result(_ report: CheckReport, _ target: String, _ parameter: String) -> TensorCheckResult? {
        report.results.first { $0.target == target && $0.parameter == parameter }
    }

    @Test func correctLayersPass() throws {
        let report = try run([BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                              ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [4]),
                              BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)])
        #expect(report.passed)
        #expect(report.results.allSatisfy { $0.status == .pass })
    }

    @Test func signErrorIsFoundAtItsElement() throws {
        let report = try run([BuggyDense(name: "d", inputs: 5, units: 4, bug: .biasSign(2)),
                              ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [4]),
                              BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)])
        #expect(!report.passed)
        for target in ["d", "model"] {
            let r = try #require(result(report, target, "d/bias"))
            #expect(r.status == .fail)
            #expect(r.failingElements.map(\.index) == [[2]])
            #expect(r.worst?.index == [2])
            let w = try #require(r.worst)
            // The planted bug flips the sign: analytic ≈ −numerical.
            #expect(abs(w.analytic + w.numerical) < 1e-6 * max(1, abs(w.numerical)))
        }
        // Nothing else is blamed.
        #expect(report.results.filter { $0.status == .fail }.map(\.parameter).allSatisfy { $0 == "d/bias" })
    }

    @Test func wrongIndexIsFoundAtBothElements() throws {
        let report = try run([BuggyDense(name: "d", inputs: 5, units: 4, bug: .biasIndex(1)),
                              ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [4]),
                              BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)])
        let r = try #require(result(report, "model", "d/bias"))
        #expect(r.status == .fail)
        #expect(r.failingElements.map(\.index) == [[2]])  // element 2 received element 1's gradient
        let layer = try #require(result(report, "d", "d/bias"))
        #expect(layer.failingElements.map(\.index) == [[2]])
    }

    @Test func missingFactorInActivationIsFoundAtTheLayerAndUpstream() throws {
        let report = try run([BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                              BuggySigmoid(name: "s", inputShape: [4]),
                              BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)])
        #expect(try #require(result(report, "s", "inputs")).status == .fail)
        #expect(try #require(result(report, "model", "d/kernel")).status == .fail)
        #expect(try #require(result(report, "model", "inputs")).status == .fail)
        // Downstream of the bug the gradients are right.
        #expect(try #require(result(report, "model", "out/kernel")).status == .pass)
        #expect(try #require(result(report, "out", "out/kernel")).status == .pass)
    }

    @Test func missingTermInPenaltyIsFound() throws {
        let report = try run([BuggyPenaltyDense(name: "p", inputs: 5, units: 3)])
        let r = try #require(result(report, "p", "p/kernel"))
        #expect(r.status == .fail)
        #expect(r.failures == 15)
        #expect(try #require(result(report, "p", "inputs")).status == .pass)
    }

    @Test func closureObjectiveCatchesAWrongDerivative() {
        // f(x) = Σ sin(x) with a gradient that uses sin instead of cos at element 3.
        let x = Tensor<Double>(unchecked: [6], scalars: [0.1, 0.5, -0.3, 1.2, 2.0, -1.0])
        let objective = ClosureObjective(
            arguments: [CheckArgument(name: "x", value: x)],
            function: { $0[0].scalars.reduce(0) { $0 + _sin($1) } },
            gradient: { args in
                var g = args[0].map { _cos($0) }
                g.scalars[3] = _sin(args[0].scalars[3])
                return [g]
            })
        let r = GradientChecker().check(objective, target: "f")[0]
        #expect(r.status == .fail)
        #expect(r.failingElements.map(\.flatIndex) == [3])
    }
}
