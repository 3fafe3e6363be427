import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The verifier's shortcuts agree with brute force.
@Suite struct StructureTests {
    static let activations: [ActivationSpec] = [.linear, .relu, .tanh, .softmax, .gelu(approximate: false)]

    @Test(arguments: activations)
    func densePerturbedOutputsMatchTheDefault(activation: ActivationSpec) {
        var spec = DenseSpec(units: 5, activation: activation)
        spec.useBias = true
        // A rank-3 input: dense acts on the last axis.
        let layer = DenseLayer(name: "d", spec: spec, inputShape: [2, 7])
        var rng = SeededRNG(seed: 9)
        let input = Tensor<Double>(unchecked: [3, 2, 7], scalars: (0..<42).map { _ in rng.normal() })
        let params: [Tensor<Double>] = [
            Tensor(unchecked: [7, 5], scalars: (0..<35).map { _ in rng.normal() }),
            Tensor(unchecked: [5], scalars: (0..<5).map { _ in rng.normal() }),
        ]
        for (p, elements) in [(0, [0, 7, 34, 12]), (1, [0, 4, 2])] {
            let values = elements.map { Double($0) * 0.37 - 1 }
            for before in [false, true] {
                let fast = layer.perturbedOutputs(input: input, parameters: params, parameter: p, elements: elements,
                                                  values: values, beforeActivation: before, context: ForwardContext(training: true))
                let slow = layer.defaultPerturbedOutputs(input: input, parameters: params, parameter: p, elements: elements,
                                                         values: values, beforeActivation: before, context: ForwardContext(training: true))
                #expect(fast.shape == slow.shape)
                let diff = zip(fast.scalars, slow.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(diff < 1e-12)
            }
        }
    }

    @Test(arguments: activations)
    func denseInputFastPathMatchesTheDefault(activation: ActivationSpec) {
        let layer = DenseLayer(name: "d", spec: DenseSpec(units: 4, activation: activation), inputShape: [3, 5])
        var rng = SeededRNG(seed: 4)
        let input = Tensor<Double>(unchecked: [2, 3, 5], scalars: (0..<30).map { _ in rng.normal() })
        let params: [Tensor<Double>] = [
            Tensor(unchecked: [5, 4], scalars: (0..<20).map { _ in rng.normal() }),
            Tensor(unchecked: [4], scalars: (0..<4).map { _ in rng.normal() }),
        ]
        let elements = [0, 7, 14, 15, 22, 29]
        let values = elements.map { Double($0) * 0.11 - 1 }
        for before in [false, true] {
            let fast = layer.perturbedInputOutputs(input: input, parameters: params, elements: elements, values: values,
                                                   beforeActivation: before, context: ForwardContext(training: true))
            let slow = layer.defaultPerturbedInputOutputs(input: input, parameters: params, elements: elements, values: values,
                                                          beforeActivation: before, context: ForwardContext(training: true))
            #expect(fast.shape == slow.shape)
            #expect((zip(fast.scalars, slow.scalars).map { abs($0 - $1) }.max() ?? 0) < 1e-12)
        }
    }

    @Test func modelObjectiveDeltasMatchFullRecomputation() throws {
        let spec = try ModelSpec.decode(json: """
        {"name": "m", "input_shape": [4], "loss": "sparse_categorical_crossentropy",
         "layers": [{"type": "dense", "units": 6, "activation": "tanh", "kernel_regularizer": {"l1": 0.01, "l2": 0.02},
                     "activity_regularizer": {"l2": 0.05}},
                    {"type": "dropout", "rate": 0.3},
                    {"type": "dense", "units": 3, "activation": "softmax"}]}
        """)
        let model = try Model(spec: spec)
        let params: [Tensor<Double>] = try model.orderedTensors(model.initialParameters(seed: 2))
        var rng = SeededRNG(seed: 5)
        let x = Tensor<Double>(unchecked: [5, 4], scalars: (0..<20).map { _ in rng.normal() })
        let y = Targets<Double>.labels([0, 1, 2, 1, 0])
        let context = ForwardContext(training: true, seed: 11)
        let objective = ModelObjective(model: model, parameters: params, inputs: x, targets: y, context: context)
        func fullLoss(_ p: [Tensor<Double>], _ inputs: Tensor<Double>) -> Double {
            let tape = Tape<Double>(recording: false)
            let l = model.loss(input: tape.constant(inputs), parameters: p.map { tape.constant($0) }, targets: y, on: tape, context: context)
            return tape.value(l).scalar
        }
        let base = fullLoss(params, x)
        // Inputs (sample-independent path, dropout rows mapped) and every parameter.
        for argument in 0..<objective.arguments.count {
            let n = objective.arguments[argument].value.count
            let elements = Array(stride(from: 0, to: n, by: max(1, n / 5)))
            let values = elements.map { objective.arguments[argument].value.scalars[$0] + 0.01 }
            let fast = objective.deltas(argument: argument, elements: elements, values: values)
            for (k, e) in elements.enumerated() {
                var p = params, inputs = x
                if argument == 0 { inputs.scalars[e] = values[k] } else { p[argument - 1].scalars[e] = values[k] }
                let slow = fullLoss(p, inputs) - base
                #expect(abs(fast[k] - slow) < 1e-12, "argument \(fast[k]) \(slow)  \(objective.arguments[argument].name) element \(e)")
            }
        }
    }
}
