import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// Verdicts to trust in every mode: kinks are kinks in fast and dot modes too, a bug the
/// JVP and the VJP share is caught by the dot mode, token ids are skipped with a reason,
/// and a NaN or infinity stops the check at its first place.
@Suite struct TrustTests {
    static let modes: [(String, GradientChecker)] = [
        ("full", GradientChecker()),
        ("fast", GradientChecker(mode: .fast(probes: 4))),
        ("dot", GradientChecker(mode: .dotProduct(probes: 3))),
        ("taylor", GradientChecker(mode: .taylor(probes: 4))),
    ]

    static func fixture(_ name: String) throws -> Model {
        let url = DotProductTests.packageRoot.appendingPathComponent("Fixtures/specs/\(name).json")
        return try Model(spec: ModelSpec.load(contentsOf: url))
    }

    /// cnn-tiny with its final dense layer replaced by one whose bias VJP has a planted bug
    /// (or none): a conv + ReLU + max-pool model, where random directions cross tied maxima.
    static func convPool(bug: Bug) throws -> Model {
        let base = try fixture("cnn-tiny")
        let flat = base.layers[3].outputShape[0]
        return try Model(name: "conv-pool", inputShape: base.inputShape,
                         layers: Array(base.layers.prefix(4)) + [BuggyDense(name: "out", inputs: flat, units: 3, bug: bug)],
                         loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true))
    }

    /// A batch whose ReLU outputs are mostly exact zeros (the conv biases are −0.4), so that
    /// many max-pooling windows hold tied maxima: kinks that random directions cross.
    static func tiedPoint(_ model: Model) throws -> (ParameterSet<Double>, Tensor<Double>, Targets<Double>) {
        var p: ParameterSet<Double> = model.initialParameters(seed: 0)
        let bias = try #require(model.parameters.first { $0.name.hasSuffix("/bias") })
        p[bias.name] = Tensor(repeating: -0.4, shape: bias.shape)
        var rng = SeededRNG(seed: 5)
        let count = 6 * model.inputShape.reduce(1, *)
        let x = Tensor<Double>(unchecked: [6] + model.inputShape, scalars: (0..<count).map { _ in rng.normal() })
        return (p, x, .labels([0, 1, 2, 0, 1, 2]))
    }

    @Test(arguments: ["fast", "dot", "taylor"])
    func tiedMaxPoolingWindowsAreKinksNotFailures(mode: String) throws {
        let model = try Self.convPool(bug: .none)
        let (p, x, y) = try Self.tiedPoint(model)
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try ModelChecker(checker: checker).check(model, parameters: p, inputs: x, targets: y)
        #expect(report.passed, "\(report.results.filter { $0.status == .fail }.map { "\($0.target) \($0.parameter) \($0.note ?? "")" })")
        // The full check agrees: the same point is correct element by element.
        #expect(try ModelChecker().check(model, parameters: p, inputs: x, targets: y).passed)
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func aRealBugBehindTiedPoolingFailsAtItsElement(mode: String) throws {
        let model = try Self.convPool(bug: .biasSign(1))
        let (p, x, y) = try Self.tiedPoint(model)
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try ModelChecker(checker: checker).check(model, parameters: p, inputs: x, targets: y)
        #expect(!report.passed)
        let failing = report.results.filter { $0.status == .fail }
        #expect(Set(failing.map(\.parameter)) == ["out/bias"], "\(failing.map { "\($0.target) \($0.parameter)" })")
        if mode == "fast" || mode == "taylor" {
            // Fast and Taylor modes locate it with the per-element check of that tensor.
            for r in failing {
                #expect(r.method == .elements)
                #expect(r.worst?.index == [1])
                #expect(r.note?.contains("per-element check") == true)
            }
        }
    }

    /// A sigmoid whose VJP and JVP both forget the `(1 − y)` factor: they agree with each
    /// other, so the dot-product identity holds, yet both are wrong.
    struct SharedBugSigmoid: Layer {
        let name: String
        var typeName: String { "shared_bug_sigmoid" }
        let inputShape: [Int]
        var outputShape: [Int] { inputShape }

        func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
            let y = UnaryFunction.sigmoid.apply(tape.value(x))
            return tape.custom([x], value: y) { g in [g.zipMap(y, *)] }
                jvp: { t in t[0]!.zipMap(y, *) }
        }
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func aDerivativeSharedByJVPAndVJPIsCaught(mode: String) throws {
        let layers: [any Layer] = [BuggyDense(name: "d", inputs: 5, units: 4, bug: .none),
                                   SharedBugSigmoid(name: "s", inputShape: [4]),
                                   BuggyDense(name: "out", inputs: 4, units: 3, bug: .none)]
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try CheckModeTests().report(layers, checker: checker)
        #expect(!report.passed)
        let failing = Set(report.results.filter { $0.status == .fail }.map { "\($0.target) \($0.parameter)" })
        #expect(failing.contains("s inputs"), "\(failing)")
        #expect(failing.isSuperset(of: ["model inputs", "model d/kernel", "model d/bias"]), "\(failing)")
        // Downstream of the bug the gradients are right.
        #expect(!failing.contains("model out/kernel"))
        if mode == "dot" {
            let s = try #require(report.results.first { $0.target == "s" && $0.parameter == "inputs" })
            #expect(s.note?.contains("JVP") == true, "\(s.note ?? "")")
            #expect(s.method == .elements && s.worst != nil)
        }
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func everyPlantedBugIsCaughtInEveryMode(mode: String) throws {
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        for (name, layers) in CheckModeTests.bugs {
            let report = try CheckModeTests().report(layers, checker: checker)
            #expect(!report.passed, "\(name) in \(mode)")
        }
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func tokenIDsAreSkippedWithAReason(mode: String) throws {
        let model = try Self.fixture("embedding-tiny")
        let (x, y) = try DotProductTests.batch(model, size: 4, seed: 2)
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try ModelChecker(checker: checker).check(model, parameters: model.initialParameters(seed: 1),
                                                              inputs: x, targets: y)
        #expect(report.passed)
        #expect(!report.results.contains { $0.parameter == "inputs" && ($0.target == "model" || $0.target == model.layers[0].name) })
        #expect(Set(report.skipped.map(\.target)) == ["model", model.layers[0].name])
        #expect(report.skipped.allSatisfy { $0.parameter == "inputs" && $0.reason.contains("token ids") })
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func aNaNWeightStopsTheCheckAtItsPlace(mode: String) throws {
        let model = try Self.fixture("iris-mlp")
        var p: ParameterSet<Double> = model.initialParameters(seed: 0)
        let name = model.parameters[2].name
        var t = try #require(p[name])
        t.scalars[5] = .nan
        p[name] = t
        let (x, y) = try DotProductTests.batch(model, size: 4, seed: 1)
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try ModelChecker(checker: checker).check(model, parameters: p, inputs: x, targets: y)
        #expect(!report.passed)
        #expect(report.results.isEmpty)
        #expect(report.nonfinite?.place == "parameters[\"\(name)\"].values[5]")
    }

    @Test func anInfiniteInputIsFoundInTheBatch() throws {
        let model = try Self.fixture("iris-mlp")
        var (x, y) = try DotProductTests.batch(model, size: 4, seed: 1)
        x.scalars[6] = -.infinity
        let report = try ModelChecker().check(model, parameters: model.initialParameters(seed: 0), inputs: x, targets: y)
        #expect(!report.passed)
        #expect(report.nonfinite?.place == "inputs.values[6]")
        #expect(report.nonfinite?.value == -.infinity)
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func anOverflowInTheForwardPassNamesTheLayer(mode: String) throws {
        let model = try Self.fixture("iris-mlp")
        var p: ParameterSet<Double> = model.initialParameters(seed: 0)
        let kernel = model.parameters[0]
        p[kernel.name] = Tensor(repeating: 1e308, shape: kernel.shape)
        let (x0, y) = try DotProductTests.batch(model, size: 4, seed: 1)
        let x = Tensor(repeating: 3, shape: x0.shape)   // 3e308 overflows
        let checker = try #require(Self.modes.first { $0.0 == mode }).1
        let report = try ModelChecker(checker: checker).check(model, parameters: p, inputs: x, targets: y)
        #expect(!report.passed)
        let place = try #require(report.nonfinite?.place)
        #expect(place.hasPrefix("forward pass: output of layer \(model.layers[0].name)"), "\(place)")
    }

    @Test func coincidentKinksOfADeadReLULayerAreKinks() throws {
        // Every pre-activation exactly 0: relu'(0) = 0 gives 0, outside the one-sided slopes
        // when they have the same sign, yet correct.
        let layer = DenseLayer(name: "d", spec: DenseSpec(units: 6, activation: .relu), inputShape: [4])
        var rng = SeededRNG(seed: 3)
        let kernel = Tensor<Double>(unchecked: [4, 6], scalars: (0..<24).map { _ in rng.normal() })
        let objective = LayerObjective(layer: layer, parameters: [kernel, Tensor(repeating: 0, shape: [6])],
                                       input: Tensor(repeating: 0, shape: [2, 4]), context: ForwardContext(training: true), seed: 0)
        let results = GradientChecker().check(objective, target: "d")
        #expect(results.allSatisfy { $0.status != .fail }, "\(results.map { "\($0.parameter) \($0.status)" })")
        #expect(results.first { $0.parameter == "inputs" }?.status == .kink)
    }
}
