import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The mutation score: each planted VJP bug (``Mutation``) must be caught by every check
/// mode, and the unmutated op must pass in every mode. The catch rate per mode is printed
/// (and quoted in the README).
@Suite struct MutationTests {
    static let modes: [(String, GradientChecker)] = [
        ("full", GradientChecker()),
        ("fast", GradientChecker(mode: .fast(probes: 4))),
        ("dot", GradientChecker(mode: .dotProduct(probes: 3))),
        ("taylor", GradientChecker(mode: .taylor(probes: 4))),
    ]

    /// A model `mutant → tanh → dense` on a batch of 4 samples of 5 features.
    static func report(_ mutation: Mutation?, checker: GradientChecker) throws -> CheckReport {
        let mutant = MutantDense(name: "m", units: 5, mutation: mutation)
        var rng = SeededRNG(seed: 1)
        let x = Tensor<Double>(unchecked: [4, 5], scalars: (0..<20).map { _ in rng.normal() })
        // An earlier forward pass on another batch: what the stale cache remembers.
        let earlier = Tensor<Double>(unchecked: [4, 5], scalars: (0..<20).map { _ in rng.normal() })
        let tape = Tape<Double>()
        let p = mutant.parameters.map { d in
            var prng = SeededRNG(seed: 9, name: d.name)
            return tape.constant(d.initializer.makeTensor(shape: d.shape, rng: &prng))
        }
        _ = mutant.forward(tape.constant(earlier), p, on: tape, context: ForwardContext(training: true))
        let model = try Model(name: "mutant", inputShape: [5], layers: [
            mutant,
            ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [5]),
            BuggyDense(name: "out", inputs: 5, units: 3, bug: .none),
        ], loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true))
        return try ModelChecker(checker: checker).check(model, parameters: model.initialParameters(seed: 3), inputs: x,
                                                        targets: .labels([0, 2, 1, 2]))
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func theUnmutatedOpPasses(mode: String) throws {
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try Self.report(nil, checker: checker)
        #expect(report.passed, "\(report.results.filter { $0.status != .pass }.map { "\($0.target) \($0.parameter) \($0.status) \($0.note ?? "")" })")
    }

    @Test func everyModeCatchesEveryMutation() throws {
        var caught: [String: [Mutation]] = [:]
        for (mode, checker) in Self.modes {
            for mutation in Mutation.allCases {
                let report = try Self.report(mutation, checker: checker)
                if !report.passed {
                    caught[mode, default: []].append(mutation)
                    // The failure is blamed on the mutant layer's tensors or upstream of it.
                    let failing = report.results.filter { $0.status == .fail }
                    #expect(failing.allSatisfy { $0.parameter.hasPrefix("m/") || $0.parameter == "inputs" },
                            "\(mode) \(mutation.rawValue): \(failing.map { "\($0.target) \($0.parameter)" })")
                }
                #expect(!report.passed, "\(mode) misses \(mutation.rawValue)")
            }
        }
        print("mutation score (\(Mutation.allCases.count) planted VJP bugs):")
        for (mode, _) in Self.modes {
            let n = caught[mode]?.count ?? 0
            print("  \(mode): \(n)/\(Mutation.allCases.count) caught"
                  + (n < Mutation.allCases.count ? ", misses \(Mutation.allCases.filter { !(caught[mode] ?? []).contains($0) }.map(\.rawValue))" : ""))
        }
    }

    @Test func eachMutationIsBlamedOnTheTensorItBreaks() throws {
        // Full mode locates each bug to the gradient the mutation writes (at the layer itself).
        let expected: [Mutation: String] = [
            .signFlip: "m/kernel", .transposedMatrix: "inputs", .missingTerm: "inputs",
            .offByOneIndex: "m/bias", .wrongBroadcastReduction: "m/bias", .staleCache: "m/kernel",
        ]
        for mutation in Mutation.allCases {
            let report = try Self.report(mutation, checker: GradientChecker())
            let atLayer = Set(report.results.filter { $0.target == "m" && $0.status == .fail }.map(\.parameter))
            #expect(atLayer == [expected[mutation]!], "\(mutation.rawValue): \(atLayer)")
        }
    }
}
