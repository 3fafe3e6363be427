import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// A check split into shards (`GradientChecker.shard`) and merged (`CheckReport.merged`)
/// is the unsharded check exactly; `sampleFraction` (what `--budget` sets) samples every
/// tensor on its own, seeded, and still finds a planted bug.
@Suite struct ShardMergeTests {
    /// A planted sign error in the bias element 2 of `d`, in a model whose kernels are
    /// larger than the sample minimum.
    static func planted(bug: Bug = .biasSign(2)) throws -> (Model, ParameterSet<Double>, Tensor<Double>, Targets<Double>) {
        let model = try Model(name: "planted", inputShape: [40],
                              layers: [BuggyDense(name: "d", inputs: 40, units: 8, bug: bug),
                                       ActivationLayer(name: "a", activation: .elementwise(.tanh), inputShape: [8]),
                                       BuggyDense(name: "out", inputs: 8, units: 3, bug: .none)],
                              loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true))
        var rng = SeededRNG(seed: 1)
        let x = Tensor<Double>(unchecked: [4, 40], scalars: (0..<160).map { _ in rng.normal() })
        return (model, model.initialParameters(seed: 3), x, .labels([0, 2, 1, 2]))
    }

    /// The single run and the merge of `count` shards, with small chunks so that every
    /// tensor is cut across the shards.
    static func singleAndMerged(_ model: Model, _ p: ParameterSet<Double>, _ x: Tensor<Double>, _ y: Targets<Double>,
                                count: Int = 3, tolerance: CheckTolerance = .float64) throws -> (CheckReport, CheckReport, [CheckReport]) {
        func checker(_ shard: Shard?) -> ModelChecker {
            var c = GradientChecker(tolerance: tolerance, chunkSize: 5)
            c.shard = shard
            return ModelChecker(checker: c, seed: 7)
        }
        let single = try checker(nil).check(model, parameters: p, inputs: x, targets: y)
        let parts = try (1...count).map { k in try checker(try Shard(index: k, count: count)).check(model, parameters: p, inputs: x, targets: y) }
        return (single, try CheckReport.merged(parts), parts)
    }

    @Test func mergedShardsOfAPlantedBugAreTheSingleRun() throws {
        let (model, p, x, y) = try Self.planted()
        let (single, merged, parts) = try Self.singleAndMerged(model, p, x, y)
        #expect(!single.passed)
        #expect(merged == single)
        // Every shard did a real share: no shard holds all the elements of the kernel.
        let kernel = single.results.first { $0.target == "model" && $0.parameter == "d/kernel" }!
        for part in parts {
            let mine = part.results.first { $0.target == "model" && $0.parameter == "d/kernel" }!
            #expect(mine.elementsChecked > 0 && mine.elementsChecked < kernel.elementsChecked)
        }
        #expect(parts.map(\.elementsChecked).reduce(0, +) == single.elementsChecked)
    }

    @Test func mergedShardsOfManyFailuresKeepTheWorstAndTheFirstTen() throws {
        // Zero tolerances and a coarse step: most elements fail, in every shard.
        let (model, p, x, y) = try Self.planted(bug: .none)
        let (single, merged, _) = try Self.singleAndMerged(model, p, x, y, count: 4,
                                                           tolerance: CheckTolerance(step: 1e-2, absolute: 0, relative: 0))
        #expect(single.results.contains { $0.failures > 10 })
        #expect(merged == single)
    }

    @Test(arguments: GraphCheckTests.cases.map(\.0))
    func mergedShardsOfAGraphAreTheSingleRun(name: String) throws {
        let model = try Model(spec: ModelSpec.decode(json: GraphCheckTests.cases.first { $0.0 == name }!.1))
        let (_, _, x, y) = try GraphCheckTests.setUp(GraphCheckTests.cases.first { $0.0 == name }!.1)
        let (single, merged, _) = try Self.singleAndMerged(model, model.initialParameters(seed: 3), x, y)
        #expect(merged == single)
    }

    @Test func partsOfDifferentChecksDoNotMerge() throws {
        let (model, p, x, y) = try Self.planted()
        var c = GradientChecker(chunkSize: 5)
        c.shard = try Shard(index: 1, count: 2)
        let a = try ModelChecker(checker: c).check(model, parameters: p, inputs: x, targets: y)
        c.tolerance.step = 1e-5
        let b = try ModelChecker(checker: c).check(model, parameters: p, inputs: x, targets: y)
        #expect(throws: CheckMergeError.self) { try CheckReport.merged([a, b]) }
        let other = try ModelChecker(checker: c, checkLayers: false).check(model, parameters: p, inputs: x, targets: y)
        #expect(throws: CheckMergeError(part: 1, "its tolerance differs from the first part's")) { try CheckReport.merged([a, other]) }
    }

    @Test func aSampledCheckStillFindsThePlantedBugAndRepeatsWithItsSeed() throws {
        let (model, p, x, y) = try Self.planted()
        func run(seed: UInt64) throws -> CheckReport {
            var c = GradientChecker(seed: seed)
            c.sampleFraction = 0.1
            return try ModelChecker(checker: c).check(model, parameters: p, inputs: x, targets: y)
        }
        let report = try run(seed: 5)
        let kernel = report.results.first { $0.target == "model" && $0.parameter == "d/kernel" }!
        #expect(kernel.elementsChecked == 32 && kernel.elementCount == 320)
        // Small tensors are checked whole (at least `minimumSample` elements of each).
        let bias = report.results.first { $0.target == "model" && $0.parameter == "d/bias" }!
        #expect(bias.elementsChecked == 8 && bias.status == .fail && bias.worst?.index == [2])
        #expect(!report.passed)
        #expect(try run(seed: 5) == report)
        var checker = GradientChecker(seed: 5)
        checker.sampleFraction = 0.1
        var other = checker
        other.seed = 6
        let mine = checker.selectedElements(count: 320, target: "model", name: "d/kernel")
        #expect(mine == checker.selectedElements(count: 320, target: "model", name: "d/kernel"))
        #expect(mine != other.selectedElements(count: 320, target: "model", name: "d/kernel"))
        #expect(mine != checker.selectedElements(count: 320, target: "model", name: "out/kernel"))
        #expect(checker.selectedCount(count: 5) == 5 && checker.selectedCount(count: 1000) == 100)
    }
}
