import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The Taylor convergence test: rate 2 for a correct gradient, rate 1 for a wrong one,
/// `exact` for a linear function, `kink` (never `fail`) where the steps cross kinks.
@Suite struct TaylorTests {
    static let taylor = GradientChecker(mode: .taylor(probes: 4))

    static func objective(gradientScale: Double = 1, shift: Double = 0) -> ClosureObjective {
        // f(x) = Σ sin(x_i) · x_{i+1} + 0.1 Σ x_i³
        let x = Tensor<Double>(unchecked: [6], scalars: [0.3, -1.1, 0.8, 2.0, -0.4, 1.5])
        return ClosureObjective(
            arguments: [CheckArgument(name: "x", value: x)],
            function: { a in
                let s = a[0].scalars
                return (0..<5).reduce(0) { $0 + sin(s[$1]) * s[$1 + 1] } + s.reduce(0) { $0 + 0.1 * $1 * $1 * $1 }
            },
            gradient: { a in
                let s = a[0].scalars
                var g = s.map { 0.3 * $0 * $0 }
                for i in 0..<5 {
                    g[i] += cos(s[i]) * s[i + 1]
                    g[i + 1] += sin(s[i])
                }
                g[2] = g[2] * gradientScale + shift
                return [Tensor(unchecked: [6], scalars: g)]
            })
    }

    @Test func theFitFindsRateTwoAndRateOne() throws {
        let steps = TaylorFit.relativeSteps
        let quadratic = TaylorFit(steps: steps, remainders: steps.map { 3 * $0 * $0 }, floor: 1e-20)
        #expect(abs(try #require(quadratic.rate) - 2) < 1e-9)
        #expect(quadratic.converges && quadratic.points == TaylorFit.windowPoints)
        #expect(quadratic.smallestStep == steps.last)
        let linear = TaylorFit(steps: steps, remainders: steps.map { 1e-3 * $0 + $0 * $0 }, floor: 1e-20)
        #expect(abs(try #require(linear.rate) - 1) < 0.05)
        #expect(!linear.converges)
    }

    @Test func remaindersAtTheFloorAreNotFitted() throws {
        let steps = TaylorFit.relativeSteps
        // Above the floor (1e-10) only down to h ≈ 3e-5: the window ends there, rate 2.
        let r = steps.map { $0 * $0 > 1e-10 ? $0 * $0 : 3e-11 }
        let fit = TaylorFit(steps: steps, remainders: r, floor: 1e-10)
        #expect(abs(try #require(fit.rate) - 2) < 1e-9)
        #expect(try #require(fit.smallestStep) > 5e-6)
        // Nothing above the floor: exact, no rate.
        let flat = TaylorFit(steps: steps, remainders: steps.map { _ in 1e-17 }, floor: 1e-16)
        #expect(flat.rate == nil && flat.exact && !flat.converges)
        #expect(flat.exactBelow == steps.first)
        // Above the floor only at the two largest steps (kinks crossed there): exact below.
        let short = TaylorFit(steps: steps, remainders: steps.indices.map { $0 < 2 ? 1 : 0 }, floor: 1e-16)
        #expect(short.rate == nil && short.exactBelow == steps[2])
        // Alternating above and below the floor down to the smallest step: no clean range.
        let ragged = TaylorFit(steps: steps, remainders: steps.indices.map { $0 % 2 == 0 ? 1 : 0 }, floor: 1e-16)
        #expect(ragged.rate == nil && !ragged.exact && ragged.points == 1)
        // A NaN remainder is never usable, and never exact.
        let nan = TaylorFit(steps: steps, remainders: steps.map { _ in .nan }, floor: 1e-16)
        #expect(nan.rate == nil && !nan.exact)
    }

    @Test func aCorrectGradientPassesAtRateTwo() throws {
        let r = Self.taylor.check(Self.objective(), target: "f")[0]
        #expect(r.status == .pass && r.method == .taylor && r.elementsChecked == 4)
        let fit = try #require(r.taylor)
        #expect(abs(try #require(fit.rate) - 2) < 0.2)
        #expect(try #require(fit.smallestStep) >= fit.steps.last!)
    }

    @Test func aWrongGradientFailsAtRateOneAndIsLocated() throws {
        let r = Self.taylor.check(Self.objective(gradientScale: 1.01), target: "f")[0]
        #expect(r.status == .fail)
        #expect(abs(try #require(r.taylor?.rate) - 1) < 0.3, "\(r.taylor?.rate ?? .nan)")
        #expect(r.method == .elements && r.failingElements.map(\.flatIndex) == [2])
        #expect(r.note?.contains("rate") == true, "\(r.note ?? "")")
    }

    @Test func aLinearFunctionIsExact() throws {
        let w = Tensor<Double>(unchecked: [4], scalars: [1, -2, 0.5, 3])
        let linear = ClosureObjective(arguments: [CheckArgument(name: "x", value: Tensor(repeating: 0.2, shape: [4]))],
                                      function: { a in zip(a[0].scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 } },
                                      gradient: { _ in [w] })
        let r = Self.taylor.check(linear, target: "f")[0]
        #expect(r.status == .pass)
        #expect(r.taylor?.exact == true && r.taylor?.rate == nil)
        // A wrong gradient of a linear function: remainder h·|error|, rate 1.
        let wrong = ClosureObjective(arguments: linear.arguments,
                                     function: { a in zip(a[0].scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 } },
                                     gradient: { _ in [w.map { $0 * 1.001 }] })
        let bad = Self.taylor.check(wrong, target: "f")[0]
        #expect(bad.status == .fail)
        #expect(abs(try #require(bad.taylor?.rate) - 1) < 0.05)
    }

    @Test func aKinkAtThePointIsAKinkNotAFailure() throws {
        // f(x) = Σ relu(x_i)², plus |x_0| with x_0 = 0 exactly: not differentiable at the
        // point along any direction; the subgradient 0 is a correct choice.
        let x = Tensor<Double>(unchecked: [3], scalars: [0, 0.5, -0.7])
        let f = ClosureObjective(arguments: [CheckArgument(name: "x", value: x)],
                                 function: { a in abs(a[0].scalars[0]) + a[0].scalars.reduce(0) { $0 + max(0, $1) * max(0, $1) } },
                                 gradient: { a in [a[0].map { 2 * max(0, $0) }] })
        let r = Self.taylor.check(f, target: "f")[0]
        #expect(r.status == .kink, "\(r.status) \(r.note ?? "")")
    }

    @Test func aNonFiniteFunctionFails() {
        let f = ClosureObjective(arguments: [CheckArgument(name: "x", value: Tensor(repeating: 1, shape: [2]))],
                                 function: { _ in .nan }, gradient: { _ in [Tensor(repeating: 0, shape: [2])] })
        #expect(Self.taylor.check(f, target: "f")[0].status == .fail)
    }

    @Test func plantedLayerBugsAreCaught() throws {
        for (name, layers) in CheckModeTests.bugs {
            let report = try CheckModeTests().report(layers, checker: Self.taylor)
            #expect(!report.passed, "\(name)")
            for r in report.results where r.status == .fail {
                #expect(r.taylor != nil, "\(name): \(r.target) \(r.parameter) carries its fit")
            }
        }
    }
}
