import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The dot-product test `⟨J u, v⟩ = ⟨u, Jᵀ v⟩`: forward mode against the backward pass.
/// It holds for every layer and model of the fixture specs, it catches every planted VJP
/// bug at the tensors full mode blames, and an op without a JVP is reported, not a crash.
@Suite struct DotProductTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let specs: [String] = {
        let dir = packageRoot.appendingPathComponent("Fixtures/specs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static func random(_ shape: [Int], _ rng: inout SeededRNG) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })
    }

    /// A random batch that fits the model and its loss (token ids for an embedding).
    static func batch(_ model: Model, size: Int, seed: UInt64) throws -> (Tensor<Double>, Targets<Double>) {
        var rng = SeededRNG(seed: seed, name: "dot batch")
        // Each model input in order: token ids below every reading embedding's input_dim, or normal values.
        let inputs = model.packInputs(model.inputs.indices.map { k -> Tensor<Double> in
            let shape = [size] + model.inputs[k].shape
            if let limit = model.idLimit(ofInput: k) {
                return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Double(rng.index(below: limit)) })
            }
            return random(shape, &rng)
        })
        let out = model.outputShape, classes = out.last ?? 1
        let positions = size * out.dropLast().reduce(1, *)
        let targets: Tensor<Double>
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy:
            targets = Tensor(unchecked: [size] + out.dropLast(), scalars: (0..<positions).map { _ in Double(rng.index(below: classes)) })
        case .categoricalCrossentropy:
            var values = [Double](repeating: 0, count: positions * classes)
            for p in 0..<positions { values[p * classes + rng.index(below: classes)] = 1 }
            targets = Tensor(unchecked: [size] + out, scalars: values)
        case .binaryCrossentropy:
            targets = Tensor(unchecked: [size] + out, scalars: (0..<(positions * classes)).map { _ in Double(rng.index(below: 2)) })
        default:
            targets = random([size] + out, &rng)
        }
        return (inputs, try model.targets(from: targets, batchSize: size))
    }

    /// Random weights: the initial ones, with non-zero biases so that every term matters.
    static func parameters(_ model: Model, seed: UInt64) -> ParameterSet<Double> {
        var set: ParameterSet<Double> = model.initialParameters(seed: seed)
        var rng = SeededRNG(seed: seed, name: "biases")
        for p in model.parameters where p.name.hasSuffix("/bias") {
            set[p.name] = Tensor(unchecked: p.shape, scalars: (0..<p.shape.reduce(1, *)).map { _ in 0.2 * rng.normal() })
        }
        return set
    }

    static let dot = GradientChecker(mode: .dotProduct(probes: 3))

    @Test(arguments: specs)
    func identityHoldsForEveryFixtureModelAndLayer(spec: String) throws {
        let model = try Model(spec: ModelSpec.load(path: Self.packageRoot.appendingPathComponent("Fixtures/specs/\(spec).json").path))
        let (x, y) = try Self.batch(model, size: 4, seed: 7)
        let report = try ModelChecker(checker: Self.dot, seed: 3).check(model, parameters: Self.parameters(model, seed: 5),
                                                                       inputs: x, targets: y)
        #expect(report.passed, "\(spec)")
        #expect(!report.results.isEmpty)
        for r in report.results {
            #expect(r.method == .dotProduct)
            #expect(r.note == nil, "\(spec) \(r.target) \(r.parameter): \(r.note ?? "")")
            #expect(r.status == .pass, "\(spec) \(r.target) \(r.parameter): max rel err \(r.maxRelativeError), worst \(String(describing: r.worst))")
            #expect(r.elementsChecked == 3)
            // Not vacuous: the products are not all zero.
            #expect(r.worst.map { $0.analytic != 0 || $0.numerical != 0 } ?? false, "\(spec) \(r.target) \(r.parameter): zero products")
        }
        // Every layer and the model are covered.
        let targets = Set(report.results.map(\.target))
        #expect(targets.contains("model"))
    }

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

    @Test(arguments: 0..<CheckModeTests.bugs.count)
    func everyPlantedBugIsCaughtAtTheTensorsFullModeBlames(bug: Int) throws {
        let (name, layers) = CheckModeTests.bugs[bug]
        let full = try report(layers, checker: GradientChecker())
        let dot = try report(layers, checker: GradientChecker(mode: .dotProduct(probes: 2)))
        #expect(!full.passed && !dot.passed, "\(name)")
        #expect(failing(full) == failing(dot), "\(name)")
        #expect(!failing(dot).isEmpty)
        #expect(dot.results.allSatisfy { $0.method == .dotProduct && $0.note == nil })
        // Each failing tensor fails on every probe, by far more than the tolerance.
        for r in dot.results where r.status == .fail {
            #expect(r.failures == 2, "\(name) \(r.target) \(r.parameter)")
            let w = try #require(r.worst)
            #expect(w.absoluteError > 1e3 * w.allowedError, "\(name) \(r.target) \(r.parameter)")
        }
    }

    @Test func plantedBugsAreLocatedToTheirTensor() throws {
        let dot = GradientChecker(mode: .dotProduct(probes: 2))
        let sign = try report(CheckModeTests.bugs[0].1, checker: dot)
        #expect(failing(sign) == ["d d/bias", "model d/bias"])
        let factor = try report(CheckModeTests.bugs[2].1, checker: dot)
        #expect(failing(factor).contains("s inputs"))
        #expect(failing(factor).isSuperset(of: ["model inputs", "model d/kernel", "model d/bias"]))
        #expect(!failing(factor).contains("model out/kernel"))
        let penalty = try report(CheckModeTests.bugs[3].1, checker: dot)
        // At the model level the penalty shifts every logit equally, which softmax
        // cross-entropy ignores: its gradient is 0 there, so only the layer check sees it.
        #expect(failing(penalty) == ["p p/kernel"])
    }

    @Test func correctModelPasses() throws {
        let layers: [any Layer] = [BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                                   ActivationLayer(name: "a", activation: .elementwise(.swish), inputShape: [4]),
                                   BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]
        let r = try report(layers, checker: GradientChecker(mode: .dotProduct(probes: 4)))
        #expect(r.passed)
        #expect(r.results.allSatisfy { $0.status == .pass && $0.elementsChecked == 4 })
        // The relative error is at rounding level, far inside the tolerance.
        #expect(r.results.allSatisfy { $0.maxRelativeError < 1e-12 })
    }

    /// A layer whose custom op has a correct VJP but no JVP.
    struct NoJVPLayer: Layer {
        let name: String
        var typeName: String { "no_jvp" }
        let inputShape: [Int]
        var outputShape: [Int] { inputShape }

        func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
            let xv = tape.value(x)
            return tape.custom([x], value: xv.map { $0 * $0 * $0 }, vjp: { g in [g.zipMap(xv) { $0 * 3 * $1 * $1 }] }, op: "cube")
        }
    }

    @Test func anOpWithoutAJVPIsReportedNotCrashed() throws {
        let layers: [any Layer] = [BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                                   NoJVPLayer(name: "cube", inputShape: [4]),
                                   BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]
        let r = try report(layers, checker: GradientChecker(mode: .dotProduct(probes: 2)))
        #expect(!r.passed)
        let blocked = r.results.filter { $0.note != nil }
        #expect(Set(blocked.map { "\($0.target) \($0.parameter)" })
                == ["cube inputs", "model inputs", "model d/kernel", "model d/bias"])
        for b in blocked {
            #expect(b.status == .fail && b.elementsChecked == 0)
            #expect(b.note?.contains("cube") == true && b.note?.contains("has no JVP") == true, "\(b.note ?? "")")
        }
        // Tensors that do not reach the op are still checked, and pass.
        #expect(r.results.filter { $0.note == nil }.allSatisfy { $0.status == .pass && $0.elementsChecked == 2 })
    }

    @Test func anObjectiveWithoutATapeIsReported() {
        let objective = ClosureObjective(
            arguments: [CheckArgument(name: "x", value: Tensor(unchecked: [2], scalars: [1, 2]))],
            function: { $0[0].scalars.reduce(0, +) }, gradient: { [Tensor(repeating: 1, shape: $0[0].shape)] })
        let r = GradientChecker(mode: .dotProduct(probes: 2)).check(objective, target: "f")
        #expect(r.count == 1)
        #expect(r[0].status == .fail && r[0].note?.contains("LinearizableObjective") == true)
    }
}
