import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// A two-input layer `a ⊙ b` whose VJP for the second input is wrong (`g ⊙ b` instead of
/// `g ⊙ a`), to show the verifier checks a multi-input layer with respect to each input.
struct BuggyProduct: Layer {
    let name: String
    var typeName: String { "buggy_product" }
    let inputShape: [Int]
    var inputShapes: [[Int]] { [inputShape, inputShape] }
    var outputShape: [Int] { inputShape }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        forward(inputs: [x, x], p, on: tape, context: context)
    }

    func forward<S: TensorScalar>(inputs xs: [Variable<S>], _ p: [Variable<S>], on tape: Tape<S>,
                                  context: ForwardContext) -> Variable<S> {
        let a = tape.value(xs[0]), b = tape.value(xs[1])
        return tape.custom(xs, value: a.zipMap(b, *)) { g in [g.zipMap(b, *), g.zipMap(b, *)] }
            jvp: { t in
                var out = Tensor<S>.zeros(a.shape)
                if let ta = t[0] { out.add(ta.zipMap(b, *)) }
                if let tb = t[1] { out.add(a.zipMap(tb, *)) }
                return out
            }
    }
}

/// The verifier on graph models: the restart downstream of a perturbed value agrees with
/// full recomputation, every mode passes correct graphs and catches a planted bug in a
/// layer's second input.
@Suite struct GraphCheckTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })
    }

    /// Two float towers merged (sample-independent), a skip connection with batch
    /// normalisation (not sample-independent), and embedded ids beside a float input.
    static let cases: [(String, String)] = [
        ("towers", #"""
         {"name": "towers", "loss": "sparse_categorical_crossentropy",
          "inputs": [{"name": "a", "shape": [4]}, {"name": "b", "shape": [3]}],
          "layers": [{"type": "dense", "name": "ta", "units": 3, "activation": "tanh", "inputs": ["a"],
                      "activity_regularizer": {"l2": 0.1}},
                     {"type": "dense", "name": "tb", "units": 3, "activation": "sigmoid", "inputs": ["b"],
                      "kernel_regularizer": {"l1": 0.01}},
                     {"type": "multiply", "name": "m", "inputs": ["ta", "tb"]},
                     {"type": "dropout", "rate": 0.3},
                     {"type": "concatenate", "name": "c", "inputs": ["dropout_1", "ta", "b"]},
                     {"type": "dense", "units": 3, "activation": "softmax"}]}
         """#),
        ("skip-bn", #"""
         {"name": "skip", "loss": "mean_squared_error", "input_shape": [2, 3],
          "layers": [{"type": "dense", "name": "d1", "units": 3, "activation": "elu"},
                     {"type": "batch_normalization", "name": "bn"},
                     {"type": "subtract", "name": "s", "inputs": ["bn", "input"]},
                     {"type": "maximum", "name": "mx", "inputs": ["s", "d1"]},
                     {"type": "flatten"},
                     {"type": "dense", "units": 2}]}
         """#),
        ("ids-and-floats", #"""
         {"name": "mixed", "loss": {"type": "sparse_categorical_crossentropy", "from_logits": true},
          "inputs": [{"name": "x", "shape": [3, 2]}, {"name": "t", "shape": [3], "dtype": "int"}],
          "layers": [{"type": "embedding", "name": "e", "input_dim": 5, "output_dim": 2, "inputs": ["t"]},
                     {"type": "add", "name": "s", "inputs": ["x", "e"]},
                     {"type": "layer_normalization", "name": "ln"},
                     {"type": "average", "name": "avg", "inputs": ["ln", "x", "e"]},
                     {"type": "flatten"},
                     {"type": "dense", "units": 3}]}
         """#),
    ]

    static func setUp(_ json: String) throws -> (Model, [Tensor<Double>], Tensor<Double>, Targets<Double>) {
        let model = try Model(spec: ModelSpec.decode(json: json))
        let params: [Tensor<Double>] = try model.orderedTensors(model.initialParameters(seed: 3))
        let batch = 4
        let xs = model.inputs.indices.map { k -> Tensor<Double> in
            if let limit = model.idLimit(ofInput: k) {
                return Tensor(unchecked: [batch] + model.inputs[k].shape,
                              scalars: (0..<(batch * model.inputs[k].count)).map { Double(($0 * 7 + 3) % limit) })
            }
            return random([batch] + model.inputs[k].shape, seed: UInt64(k + 10))
        }
        let targets: Targets<Double>
        if model.loss.takesLabels {
            targets = .labels((0..<batch).map { $0 % (model.outputShape.last ?? 1) })
        } else {
            targets = .values(random([batch] + model.outputShape, seed: 99))
        }
        return (model, params, model.packInputs(xs), targets)
    }

    @Test(arguments: cases.map(\.0))
    func restartDownstreamMatchesFullRecomputation(name: String) throws {
        let (model, params, x, y) = try Self.setUp(Self.cases.first { $0.0 == name }!.1)
        let context = ForwardContext(training: true, seed: 5)
        let objective = ModelObjective(model: model, parameters: params, inputs: x, targets: y, context: context)
        #expect(objective.arguments.count == model.floatInputs.count + model.trainableParameters.count)
        func fullLoss(_ p: [Tensor<Double>], _ inputs: [Tensor<Double>]) -> Double {
            let tape = Tape<Double>(recording: false)
            let l = model.loss(inputs: inputs.map { tape.constant($0) }, parameters: p.map { tape.constant($0) },
                               targets: y, on: tape, context: context)
            return tape.value(l).scalar
        }
        let split = model.splitInputs(x)
        let base = fullLoss(params, split)
        let trainable = model.parameters.indices.filter { model.parameters[$0].trainable }
        for argument in 0..<objective.arguments.count {
            let n = objective.arguments[argument].value.count
            let elements = Array(stride(from: 0, to: n, by: max(1, n / 6)))
            let values = elements.map { objective.arguments[argument].value.scalars[$0] + 0.01 }
            let fast = objective.deltas(argument: argument, elements: elements, values: values)
            for (k, e) in elements.enumerated() {
                var p = params, inputs = split
                if argument < model.floatInputs.count {
                    inputs[model.floatInputs[argument]].scalars[e] = values[k]
                } else {
                    p[trainable[argument - model.floatInputs.count]].scalars[e] = values[k]
                }
                let slow = fullLoss(p, inputs) - base
                #expect(abs(fast[k] - slow) < 1e-12, "\(objective.arguments[argument].name)[\(e)]: \(fast[k]) vs \(slow)")
            }
        }
        // The analytic gradient of each argument has its shape.
        for (g, a) in zip(objective.analyticGradients(), objective.arguments) { #expect(g.shape == a.value.shape) }
    }

    @Test(arguments: cases.map(\.0))
    func correctGraphsPassInEveryMode(name: String) throws {
        let (model, params, x, y) = try Self.setUp(Self.cases.first { $0.0 == name }!.1)
        let set = ParameterSet(zip(model.parameters.map(\.name), params).map { ($0, $1) })
        for checker in [GradientChecker(), GradientChecker(mode: .fast(probes: 4)), GradientChecker(mode: .dotProduct(probes: 4))] {
            let report = try ModelChecker(checker: checker).check(model, parameters: set, inputs: x, targets: y)
            for r in report.results where r.status == .fail { Issue.record("\(name): \(r.target) \(r.parameter) fails") }
            // Layers in topological order, each merge checked with respect to each input.
            let targets = report.results.map(\.target)
            #expect(Array(NSOrderedSetLike(targets)) == model.layers.map(\.name) + ["model"])
        }
    }

    @Test func aWrongVJPForTheSecondInputFails() throws {
        let d = DenseLayer(name: "d", spec: DenseSpec(units: 3, activation: .tanh), inputShape: [3])
        let product = BuggyProduct(name: "p", inputShape: [3])
        let out = DenseLayer(name: "out", spec: DenseSpec(units: 2), inputShape: [3])
        let model = try Model(name: "g", inputs: [ModelInput(name: "a", shape: [3]), ModelInput(name: "b", shape: [3])],
                              layers: [d, product, out], layerInputs: [[.input(0)], [.layer(0), .input(1)], [.layer(1)]],
                              loss: LossSpec(kind: .meanSquaredError))
        let x = model.packInputs([Self.random([4, 3], seed: 1), Self.random([4, 3], seed: 2)])
        let y = Targets<Double>.values(Self.random([4, 2], seed: 3))
        for checker in [GradientChecker(), GradientChecker(mode: .fast(probes: 4)), GradientChecker(mode: .dotProduct(probes: 4))] {
            let report = try ModelChecker(checker: checker).check(model, parameters: model.initialParameters(seed: 1),
                                                                  inputs: x, targets: y)
            let failing = Set(report.results.filter { $0.status == .fail }.map { "\($0.target) \($0.parameter)" })
            #expect(failing.contains("p inputs[\"b\"]"), "\(failing)")
            #expect(!failing.contains("p inputs[\"d\"]"), "\(failing)")
            #expect(failing.contains("model inputs[\"b\"]") || failing.contains("model d/kernel"), "\(failing)")
        }
    }
}

/// The distinct elements of a sequence in first-seen order.
func NSOrderedSetLike(_ xs: [String]) -> [String] {
    var seen = Set<String>()
    return xs.filter { seen.insert($0).inserted }
}
