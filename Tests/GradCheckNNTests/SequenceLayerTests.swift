import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// The sequence, attention and normalisation layers: shapes, values, Keras parameter
/// names and layouts, the semantics FORMATS.md fixes (causal padding, the backward copy's
/// reversal, the causal mask), float32 against float64, and the conv1d fast path.
@Suite struct SequenceLayerTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })
    }

    static func run(_ layer: any Layer, _ x: Tensor<Double>, _ params: [Tensor<Double>]) -> Tensor<Double> {
        let tape = Tape<Double>(recording: false)
        return tape.value(layer.forward(tape.constant(x), params.map { tape.constant($0) }, on: tape, context: ForwardContext(training: false)))
    }

    static func model(_ layers: String, input: [Int]) throws -> Model {
        try Model(spec: ModelSpec.decode(json: """
            {"name": "m", "input_shape": \(input), "layers": [\(layers)], "loss": "mean_squared_error"}
            """))
    }

    static func randomParameters(_ layer: any Layer, seed: UInt64) -> [Tensor<Double>] {
        layer.parameters.enumerated().map { random($1.shape, seed: seed + UInt64($0)) }
    }

    // MARK: conv1d

    @Test func conv1dShapesForEachPadding() {
        func out(_ spec: Conv1DSpec, _ t: Int) -> [Int] { Conv1DLayer(name: "c", spec: spec, inputShape: [t, 3]).outputShape }
        #expect(out(Conv1DSpec(filters: 4, kernelSize: 3), 10) == [8, 4])
        #expect(out(Conv1DSpec(filters: 4, kernelSize: 3, dilationRate: 2), 10) == [6, 4])
        #expect(out(Conv1DSpec(filters: 4, kernelSize: 3, padding: .causal, dilationRate: 3), 10) == [10, 4])
        #expect(out(Conv1DSpec(filters: 2, kernelSize: 3, strides: 2, padding: .same), 9) == [5, 2])
        #expect(out(Conv1DSpec(filters: 2, kernelSize: 2, strides: 3, padding: .causal), 9) == [3, 2])
        let layer = Conv1DLayer(name: "c", spec: Conv1DSpec(filters: 4, kernelSize: 3), inputShape: [10, 3])
        #expect(layer.parameters.map(\.name) == ["c/kernel", "c/bias"])
        #expect(layer.parameters.map(\.shape) == [[3, 3, 4], [4]])
        #expect(Conv1DLayer.inputProblem(spec: Conv1DSpec(filters: 1, kernelSize: 4, dilationRate: 2), inputShape: [6, 1]) != nil)
        #expect(Conv1DLayer.inputProblem(spec: Conv1DSpec(filters: 1, kernelSize: 4, padding: .causal, dilationRate: 2),
                                         inputShape: [6, 1]) == nil)
        #expect(Conv1DLayer.inputProblem(spec: Conv1DSpec(filters: 1, kernelSize: 2), inputShape: [6, 1, 1])
            == "needs an input of rank 2 (timesteps, channels), got [6, 1, 1]")
    }

    @Test func causalDilatedConvolutionMatchesItsDefinition() {
        // One channel, one filter, kernel [1, 10, 100], dilation 2: y_t = x_{t-4} + 10 x_{t-2} + 100 x_t.
        let layer = Conv1DLayer(name: "c", spec: Conv1DSpec(filters: 1, kernelSize: 3, padding: .causal, dilationRate: 2, useBias: false),
                                inputShape: [6, 1])
        let x = Tensor<Double>(unchecked: [1, 6, 1], scalars: [1, 2, 3, 4, 5, 6])
        let y = Self.run(layer, x, [Tensor(unchecked: [3, 1, 1], scalars: [1, 10, 100])])
        let expected: [Double] = [100, 200, 310, 420, 531, 642]
        #expect(y.scalars == expected)
    }

    @Test func causalOutputsDoNotSeeTheFuture() {
        let layer = Conv1DLayer(name: "c", spec: Conv1DSpec(filters: 2, kernelSize: 3, padding: .causal, dilationRate: 2), inputShape: [8, 3])
        let params = Self.randomParameters(layer, seed: 3)
        var x = Self.random([1, 8, 3], seed: 1)
        let before = Self.run(layer, x, params)
        for i in (5 * 3)..<(8 * 3) { x.scalars[i] += 1 }   // change steps 5, 6, 7
        let after = Self.run(layer, x, params)
        #expect(Array(before.scalars[0..<(5 * 2)]) == Array(after.scalars[0..<(5 * 2)]))
        #expect(before.scalars[5 * 2] != after.scalars[5 * 2])
    }

    static let conv1dFastCases: [Conv1DSpec] = [
        Conv1DSpec(filters: 3, kernelSize: 3, padding: .causal, dilationRate: 2, activation: .tanh),
        Conv1DSpec(filters: 2, kernelSize: 2, strides: 2, padding: .same, activation: .softmax),
        Conv1DSpec(filters: 3, kernelSize: 2, useBias: false),
    ]

    @Test(arguments: conv1dFastCases)
    func conv1dPerturbedOutputsMatchTheDefault(spec: Conv1DSpec) {
        let layer = Conv1DLayer(name: "c", spec: spec, inputShape: [7, 2])
        let input = Self.random([3, 7, 2], seed: 8)
        let params = Self.randomParameters(layer, seed: 9)
        for (p, param) in params.enumerated() {
            let elements = Array(Set([0, 1, param.count / 2, param.count - 1])).sorted()
            let values = elements.map { Double($0) * 0.37 - 1 }
            for before in [false, true] {
                let context = ForwardContext(training: true)
                let fast = layer.perturbedOutputs(input: input, parameters: params, parameter: p, elements: elements,
                                                  values: values, beforeActivation: before, context: context)
                let slow = layer.defaultPerturbedOutputs(input: input, parameters: params, parameter: p, elements: elements,
                                                         values: values, beforeActivation: before, context: context)
                #expect(fast.shape == slow.shape)
                #expect(fast.shape == [3 * elements.count] + layer.outputShape)
                let diff = zip(fast.scalars, slow.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(diff < 1e-12)
            }
        }
    }

    // MARK: pooling

    @Test func oneDimensionalAndGlobalPoolingValues() throws {
        let ramp = Tensor<Double>(unchecked: [1, 5, 2], scalars: [0, 9, 1, 8, 2, 7, 3, 6, 4, 5])
        let max = Pooling1DLayer(name: "p", reduction: .max, spec: Pooling1DSpec(), inputShape: [5, 2])
        #expect(max.outputShape == [2, 2])
        #expect(Self.run(max, ramp, []).scalars == [1, 9, 3, 7])
        let average = Pooling1DLayer(name: "p", reduction: .average, spec: Pooling1DSpec(poolSize: 2, padding: .same), inputShape: [5, 2])
        #expect(average.outputShape == [3, 2])
        #expect(Self.run(average, ramp, []).scalars == [0.5, 8.5, 2.5, 6.5, 4, 5])   // the last window holds one step
        let globalMax = GlobalPoolingLayer(name: "g", reduction: .max, inputShape: [5, 2])
        #expect(globalMax.typeName == "global_max_pooling1d")
        #expect(Self.run(globalMax, ramp, []).scalars == [4, 9])
        let globalAverage = GlobalPoolingLayer(name: "g", reduction: .average, inputShape: [5, 2])
        #expect(globalAverage.typeName == "global_average_pooling1d")
        #expect(Self.run(globalAverage, ramp, []).scalars == [2, 7])
        let image = GlobalPoolingLayer(name: "g", reduction: .max, inputShape: [5, 1, 2])
        #expect(image.typeName == "global_max_pooling2d")
        #expect(Self.run(image, ramp.reshaped(unchecked: [1, 5, 1, 2]), []).scalars == [4, 9])
        #expect(GlobalPoolingLayer.inputProblem(spatialRank: 2, inputShape: [5, 2]) != nil)
        #expect(Pooling1DLayer.inputProblem(spec: Pooling1DSpec(poolSize: 6), inputShape: [5, 2]) != nil)
    }

    @Test func globalMaxPoolingTiesSendTheGradientToTheFirstMaximum() {
        let layer = GlobalPoolingLayer(name: "g", reduction: .max, inputShape: [4, 1])
        let tape = Tape<Double>()
        let x = tape.variable(Tensor(unchecked: [1, 4, 1], scalars: [1, 3, 0, 3]))
        let y = layer.forward(x, [], on: tape, context: ForwardContext(training: false))
        let dx = tape.gradients(of: y, seed: Tensor(unchecked: [1, 1], scalars: [2]), withRespectTo: [x])[0]
        #expect(dx.scalars == [0, 2, 0, 0])
    }

    // MARK: normalisation

    @Test func normalisationLayersHaveKerasParameters() throws {
        let m = try Self.model(#"{"type": "rms_normalization"}, {"type": "group_normalization", "groups": 2}, {"type": "group_normalization", "groups": 4, "center": false}"#,
                               input: [3, 4])
        #expect(m.parameters.map(\.name) == ["rms_normalization_1/scale", "group_normalization_1/gamma", "group_normalization_1/beta",
                                             "group_normalization_2/gamma"])
        #expect(m.parameters.allSatisfy { $0.shape == [4] })
        let initial: ParameterSet<Double> = m.initialParameters(seed: 1)
        #expect(initial["rms_normalization_1/scale"]?.scalars == [1, 1, 1, 1])
        #expect(GroupNormalizationLayer.inputProblem(groups: 3, inputShape: [3, 4]) == "groups 3 must divide the 4 channels of an input of shape [3, 4]")
        let rms = try #require(m.layers[0] as? RMSNormalizationLayer)
        #expect(rms.epsilon == 1e-6)
        let group = try #require(m.layers[1] as? GroupNormalizationLayer)
        #expect(group.epsilon == 1e-3)
    }

    @Test func groupNormalizationWithOneGroupPerChannelOnOnePositionIsTheShift() {
        // groups == channels on a single position: each group holds one value, x̂ = 0, y = β.
        let layer = GroupNormalizationLayer(name: "g", spec: GroupNormalizationSpec(groups: 3), inputShape: [1, 3])
        let y = Self.run(layer, Self.random([2, 1, 3], seed: 2), [Tensor(repeating: 2, shape: [3]), Tensor(unchecked: [3], scalars: [1, 2, 3])])
        #expect(y.scalars == [1, 2, 3, 1, 2, 3])
    }

    // MARK: bidirectional

    static func recurrent(_ type: BidirectionalSpec.LayerType, _ spec: RecurrentSpec, name: String, input: [Int]) throws -> any Layer {
        switch type {
        case .simpleRNN: return try SimpleRNNLayer(name: name, spec: spec, inputShape: input)
        case .lstm: return try LSTMLayer(name: name, spec: spec, inputShape: input)
        case .gru: return try GRULayer(name: name, spec: spec, inputShape: input)
        }
    }

    static let bidirectionalCases: [(BidirectionalSpec.LayerType, Bool, MergeMode)] = [
        (.gru, true, .concat), (.lstm, false, .sum), (.simpleRNN, true, .mul), (.gru, false, .ave), (.lstm, true, .ave),
    ]

    @Test(arguments: bidirectionalCases)
    func bidirectionalIsTheForwardAndTheReversedBackwardCopyMerged(type: BidirectionalSpec.LayerType, sequences: Bool, merge: MergeMode) throws {
        let inner = RecurrentSpec(units: 3, returnSequences: sequences)
        let layer = try BidirectionalLayer(name: "bi", spec: BidirectionalSpec(layerType: type, layer: inner, mergeMode: merge), inputShape: [4, 2])
        let n = layer.parameters.count / 2
        #expect(layer.parameters.prefix(n).allSatisfy { $0.name.hasPrefix("bi/forward/") && $0.layer == "bi" })
        #expect(layer.parameters.suffix(n).allSatisfy { $0.name.hasPrefix("bi/backward/") && $0.layer == "bi" })
        #expect(layer.parameters.map(\.name).contains("bi/backward/recurrent_kernel"))
        #expect(layer.outputShape == (sequences ? [4] : []) + [merge == .concat ? 6 : 3])

        let x = Self.random([2, 4, 2], seed: 5)
        let params = Self.randomParameters(layer, seed: 6)
        let y = Self.run(layer, x, params)
        let one = try Self.recurrent(type, inner, name: "r", input: [4, 2])
        let f = Self.run(one, x, Array(params[..<n]))
        // The backward copy on the sequence reversed by hand, its outputs reversed back.
        var reversed = x
        for b in 0..<2 { for t in 0..<4 { for c in 0..<2 { reversed.scalars[(b * 4 + t) * 2 + c] = x.scalars[(b * 4 + 3 - t) * 2 + c] } } }
        var back = Self.run(one, reversed, Array(params[n...]))
        if sequences {
            let copy = back
            for b in 0..<2 { for t in 0..<4 { for u in 0..<3 { back.scalars[(b * 4 + t) * 3 + u] = copy.scalars[(b * 4 + 3 - t) * 3 + u] } } }
        }
        var expected: [Double] = []
        for row in 0..<(f.count / 3) {
            let fr = f.scalars[(row * 3)..<(row * 3 + 3)], br = back.scalars[(row * 3)..<(row * 3 + 3)]
            switch merge {
            case .concat: expected += Array(fr) + Array(br)
            case .sum: expected += zip(fr, br).map { $0 + $1 }
            case .mul: expected += zip(fr, br).map { $0 * $1 }
            case .ave: expected += zip(fr, br).map { ($0 + $1) / 2 }
            }
        }
        let diff = zip(y.scalars, expected).map { abs($0 - $1) }.max() ?? 1
        #expect(y.count == expected.count)
        #expect(diff <= 1e-15)
    }

    // MARK: multi-head attention

    static let attentionSpec = MultiHeadAttentionSpec(numHeads: 2, keyDim: 3, valueDim: 4, useCausalMask: true)

    @Test func attentionHasKerasParameterNamesAndShapes() {
        let layer = MultiHeadAttentionLayer(name: "mha", spec: Self.attentionSpec, queryShape: [5, 6], valueShape: [7, 8], keyShape: [7, 9])
        #expect(layer.parameters.map(\.name) == [
            "mha/query/kernel", "mha/query/bias", "mha/key/kernel", "mha/key/bias", "mha/value/kernel", "mha/value/bias",
            "mha/attention_output/kernel", "mha/attention_output/bias",
        ])
        #expect(layer.parameters.map(\.shape) == [[6, 2, 3], [2, 3], [9, 2, 3], [2, 3], [8, 2, 4], [2, 4], [2, 4, 6], [6]])
        #expect(layer.outputShape == [5, 6])
        let noBias = MultiHeadAttentionLayer(name: "m", spec: MultiHeadAttentionSpec(numHeads: 1, keyDim: 2, useBias: false), queryShape: [3, 4])
        #expect(noBias.parameters.map(\.name) == ["m/query/kernel", "m/key/kernel", "m/value/kernel", "m/attention_output/kernel"])
        #expect(MultiHeadAttentionLayer.inputProblem(queryShape: [3, 4], valueShape: [5, 4], keyShape: [6, 4]) != nil)
        #expect(MultiHeadAttentionLayer.inputProblem(queryShape: [12], valueShape: [12], keyShape: [12])
            == "needs a query of rank 2 (timesteps, features), got [12]")
    }

    @Test func causalAttentionIsUnaffectedByLaterStepsAndItsProbabilitiesAreZeroThere() throws {
        let layer = MultiHeadAttentionLayer(name: "mha", spec: Self.attentionSpec, queryShape: [5, 6])
        let params = Self.randomParameters(layer, seed: 2)
        var x = Self.random([2, 5, 6], seed: 1)
        let before = Self.run(layer, x, params)
        for b in 0..<2 { for c in 0..<6 { x.scalars[(b * 5 + 4) * 6 + c] += 1 } }   // change the last step
        let after = Self.run(layer, x, params)
        for b in 0..<2 {
            let range = (b * 30)..<(b * 30 + 24)
            #expect(Array(before.scalars[range]) == Array(after.scalars[range]))
        }
        let tape = Tape<Double>(recording: false)
        let result = layer.attention(query: tape.constant(x), value: tape.constant(x), parameters: params.map { tape.constant($0) }, on: tape)
        let p = tape.value(result.probabilities)
        #expect(p.shape == [2, 2, 5, 5])
        for row in 0..<(2 * 2 * 5) {
            let i = row % 5
            let values = Array(p.scalars[(row * 5)..<(row * 5 + 5)])
            #expect(abs(values.reduce(0, +) - 1) < 1e-14)
            #expect(values[(i + 1)...].allSatisfy { $0 == 0 })
            #expect(values[...i].allSatisfy { $0 > 0 })
        }
    }

    @Test func crossAttentionTakesAQueryValueAndKeyOfOtherShapes() {
        let layer = MultiHeadAttentionLayer(name: "mha", spec: MultiHeadAttentionSpec(numHeads: 2, keyDim: 3), queryShape: [4, 5],
                                            valueShape: [6, 3], keyShape: [6, 2])
        let params = Self.randomParameters(layer, seed: 4)
        let tape = Tape<Double>()
        let q = tape.variable(Self.random([2, 4, 5], seed: 1)), v = tape.variable(Self.random([2, 6, 3], seed: 2))
        let k = tape.variable(Self.random([2, 6, 2], seed: 3))
        let result = layer.attention(query: q, value: v, key: k, parameters: params.map { tape.variable($0) }, on: tape)
        #expect(tape.value(result.output).shape == [2, 4, 5])
        #expect(tape.value(result.probabilities).shape == [2, 2, 4, 6])
        let grads = tape.gradients(of: tape.sum(result.output), withRespectTo: [q, v, k])
        #expect(grads.map(\.shape) == [[2, 4, 5], [2, 6, 3], [2, 6, 2]])
        #expect(grads.allSatisfy { $0.maxAbs() > 0 })
    }

    // MARK: float32

    @Test(arguments: [
        #"{"type": "conv1d", "filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2, "activation": "tanh"}"#,
        #"{"type": "rms_normalization"}"#, #"{"type": "group_normalization", "groups": 2}"#,
        #"{"type": "bidirectional", "layer": {"type": "lstm", "units": 3, "return_sequences": true}}"#,
        #"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 2, "use_causal_mask": true}"#,
        #"{"type": "max_pooling1d", "padding": "same"}"#, #"{"type": "global_max_pooling1d"}"#,
    ])
    func floatAndDoubleAgree(layer spec: String) throws {
        let m = try Self.model(spec, input: [5, 4])
        let layer = m.layers[0]
        let x = Self.random([2, 5, 4], seed: 11)
        let params = Self.randomParameters(layer, seed: 12)
        let y64 = Self.run(layer, x, params)
        let tape = Tape<Float>(recording: false)
        let y32 = tape.value(layer.forward(tape.constant(x.converted(to: Float.self)), params.map { tape.constant($0.converted(to: Float.self)) },
                                           on: tape, context: ForwardContext(training: false)))
        #expect(y32.shape == y64.shape)
        // float32 rounding through a few dozen operations: ~1e-6 relative to the output scale.
        let scale = max(y64.maxAbs(), 1)
        let diff = zip(y32.scalars, y64.scalars).map { abs(Double($0) - $1) }.max() ?? 1
        #expect(diff <= 1e-5 * scale, "\(spec): \(diff)")
    }
}
