import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

func _sin(_ x: Double) -> Double { Foundation.sin(x) }
func _cos(_ x: Double) -> Double { Foundation.cos(x) }

/// Points on a non-differentiable boundary are `kink`, not `fail`.
@Suite struct KinkTests {
    @Test func reluExactlyAtZeroIsAKink() throws {
        let layer = ActivationLayer(name: "relu", activation: .elementwise(.relu), inputShape: [3])
        let input = Tensor<Double>(unchecked: [2, 3], scalars: [0.5, 0, -0.7, 1.3, -0.2, 0])
        let objective = LayerObjective(layer: layer, parameters: [], input: input,
                                       context: ForwardContext(training: true), seed: 0)
        let r = GradientChecker().check(objective, target: "relu")[0]
        #expect(r.status == .kink)
        #expect(r.kinks == 2)
        #expect(r.failures == 0)
        let w = try #require(r.worst)
        #expect(w.analytic == 0)
        #expect(w.backwardDifference == 0)
        #expect(abs(w.forwardDifference) > 0.01)
    }

    @Test func reluAtZeroInAWholeModelDoesNotFailTheCheck() throws {
        let model = try Model(
            name: "relu-first", inputShape: [4],
            layers: [ActivationLayer(name: "relu", activation: .elementwise(.relu), inputShape: [4]),
                     DenseLayer(name: "dense_1", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [4])],
            loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: false))
        let x = Tensor<Double>(unchecked: [2, 4], scalars: [0, 1, -1, 0.5, 2, 0, 0.3, -0.4])
        let report = try ModelChecker().check(model, parameters: model.initialParameters(seed: 1), inputs: x, targets: .labels([1, 2]))
        #expect(report.passed)
        let inputs = try #require(report.results.first { $0.target == "model" && $0.parameter == "inputs" })
        #expect(inputs.status == .kink)
        #expect(inputs.kinks == 2)
    }

    @Test func aKinkNearButNotAtThePointPassesAtTheSmallerStep() {
        // |x| at x = 4e-7: within h = 1e-6 of the kink, but differentiable there.
        let x = Tensor<Double>(unchecked: [1], scalars: [4e-7])
        let objective = ClosureObjective(
            arguments: [CheckArgument(name: "x", value: x)],
            function: { abs($0[0].scalars[0]) },
            gradient: { [Tensor(unchecked: [1], scalars: [$0[0].scalars[0] > 0 ? 1 : -1])] })
        let r = GradientChecker().check(objective, target: "abs")[0]
        #expect(r.status == .pass)
    }

    @Test func aWrongDerivativeAtAKinkStillFails() {
        // The analytic value 5 is outside [−1, 1], the one-sided derivatives of |x| at 0.
        let x = Tensor<Double>(unchecked: [1], scalars: [0])
        let objective = ClosureObjective(
            arguments: [CheckArgument(name: "x", value: x)],
            function: { abs($0[0].scalars[0]) },
            gradient: { _ in [Tensor(unchecked: [1], scalars: [5])] })
        #expect(GradientChecker().check(objective, target: "abs")[0].status == .fail)
    }

    @Test func strongCurvatureIsNotMistakenForAKink() {
        // A wrong gradient of a smooth but curved function: the one-sided differences
        // differ by h·f'' and shrink with h, so this is a failure, not a kink.
        let x = Tensor<Double>(unchecked: [1], scalars: [0.3])
        let objective = ClosureObjective(
            arguments: [CheckArgument(name: "x", value: x)],
            function: { let v = $0[0].scalars[0]; return 1e6 * v * v },
            gradient: { args in [Tensor(unchecked: [1], scalars: [2e6 * args[0].scalars[0] + 100])] })
        #expect(GradientChecker().check(objective, target: "curved")[0].status == .fail)
    }
}
