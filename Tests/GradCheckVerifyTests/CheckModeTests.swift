import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// Fast mode finds the same bugs as full mode (without locating the element), and the
/// Richardson and relative-step options keep correct gradients passing.
@Suite struct CheckModeTests {
    static let loss = LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)

    func report(_ layers: [any Layer], checker: GradientChecker) throws -> CheckReport {
        let m = try Model(name: "m", inputShape: [5], layers: layers, loss: Self.loss)
        var rng = SeededRNG(seed: 1)
        let x = Tensor<Double>(unchecked: [4, 5], scalars: (0..<20).map { _ in rng.normal() })
        return try ModelChecker(checker: checker).check(m, parameters: m.initialParameters(seed: 3), inputs: x,
                                                        targets: .labels([0, 2, 1, 2]))
    }

    func failing(_ r: CheckReport) -> Set<String> {
        Set(r.results.filter { $0.status == .fail }.map { "\($0.target) \($0.parameter)" })
    }

    static let bugs: [(String, [any Layer])] = [
        ("sign", [BuggyDense(name: "d", inputs: 5, units: 4, bug: .biasSign(2)),
                  ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [4]),
                  BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]),
        ("index", [BuggyDense(name: "d", inputs: 5, units: 4, bug: .biasIndex(1)),
                   BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]),
        ("missing factor", [BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                            BuggySigmoid(name: "s", inputShape: [4]),
                            BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]),
        ("missing penalty term", [BuggyPenaltyDense(name: "p", inputs: 5, units: 3)]),
    ]

    @Test(arguments: 0..<bugs.count)
    func fastModeFlagsTheSameTensorsAsFullMode(bug: Int) throws {
        let layers = Self.bugs[bug].1
        let full = try report(layers, checker: GradientChecker())
        let fast = try report(layers, checker: GradientChecker(mode: .fast(probes: 4)))
        #expect(!full.passed && !fast.passed)
        #expect(failing(full) == failing(fast), "\(Self.bugs[bug].0)")
        // A failing tensor is located by the per-element check (its note names the probe);
        // the others are judged by their 4 probes.
        for r in fast.results {
            if r.status == .fail {
                #expect(r.method == .elements && r.note?.contains("probe") == true, "\(r.target) \(r.parameter)")
            } else {
                #expect(r.method == .probes && r.elementsChecked == 4, "\(r.target) \(r.parameter)")
            }
        }
        // And it blames the same elements as full mode.
        for r in fast.results where r.status == .fail {
            let f = full.results.first { $0.target == r.target && $0.parameter == r.parameter }
            #expect(f?.failingElements.map(\.index) == r.failingElements.map(\.index))
        }
    }

    @Test func correctModelPassesInEveryMode() throws {
        let layers: [any Layer] = [BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                                   ActivationLayer(name: "a", activation: .elementwise(.swish), inputShape: [4]),
                                   BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]
        for checker in [GradientChecker(mode: .fast(probes: 8)), GradientChecker(richardson: true),
                        GradientChecker(relativeStep: true), GradientChecker(relativeStep: true, richardson: true)] {
            let r = try report(layers, checker: checker)
            #expect(r.passed)
        }
    }

    @Test func richardsonIsMoreAccurateOnARoughFunction() {
        // f(x) = exp(20x): the third derivative is huge, so a coarse step truncates badly.
        let x = Tensor<Double>(unchecked: [1], scalars: [0.5])
        let objective = ClosureObjective(arguments: [CheckArgument(name: "x", value: x)],
                                         function: { Foundation.exp(20 * $0[0].scalars[0]) },
                                         gradient: { [Tensor(unchecked: [1], scalars: [20 * Foundation.exp(20 * $0[0].scalars[0])])] })
        let rough = CheckTolerance(step: 1e-3, absolute: 1e-8, relative: 1e-5)
        let plain = GradientChecker(tolerance: rough).check(objective, target: "f")[0]
        let extrapolated = GradientChecker(tolerance: rough, richardson: true).check(objective, target: "f")[0]
        #expect(extrapolated.maxRelativeError < plain.maxRelativeError / 100)
        #expect(extrapolated.maxTruncationEstimate != nil)
        #expect(plain.maxTruncationEstimate == nil)
    }
}
