import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// The attention layer's perturbation fast path against the reference (one whole forward
/// pass per change), for every parameter, self- and cross-attention, causal or not.
@Suite struct MultiHeadAttentionPerturbationTests {
    typealias T = SequenceLayerTests

    /// Query shape, value and key shapes (`nil`: self-attention), causal mask, biases.
    static let cases: [([Int], [Int]?, [Int]?, Bool, Bool)] = [
        ([5, 6], nil, nil, true, true),
        ([5, 6], nil, nil, false, true),
        ([4, 5], [6, 3], [6, 2], false, true),
        ([6, 5], [6, 3], nil, true, true),
        ([5, 6], nil, nil, true, false),
    ]

    @Test(arguments: cases)
    func perturbedOutputsMatchTheReference(query: [Int], value: [Int]?, key: [Int]?, causal: Bool, useBias: Bool) {
        let layer = MultiHeadAttentionLayer(
            name: "mha", spec: MultiHeadAttentionSpec(numHeads: 2, keyDim: 3, valueDim: 4, useBias: useBias, useCausalMask: causal),
            queryShape: query, valueShape: value, keyShape: key)
        let batch = 3
        var inputs = [T.random([batch] + query, seed: 1)]
        if let value { inputs.append(T.random([batch] + value, seed: 2)) }
        if let key { inputs.append(T.random([batch] + key, seed: 3)) }
        let params = T.randomParameters(layer, seed: 4)
        let context = ForwardContext(training: false)
        for (p, descriptor) in layer.parameters.enumerated() {
            let count = descriptor.shape.reduce(1, *)
            // The first and last elements, and a spread between: every head and column kind.
            let elements = Array(Set([0, count - 1] + stride(from: 1, to: count, by: Swift.max(1, count / 9))) ).sorted()
            // Large changes (the softmax far from linear) and a central-difference-sized one.
            let values = elements.enumerated().map { c, e in
                params[p].scalars[e] + (c % 3 == 0 ? 1e-6 : Double(c % 5) * 0.7 - 1.3)
            }
            let fast = layer.perturbedOutputs(inputs: inputs, parameters: params, parameter: p, elements: elements,
                                              values: values, beforeActivation: false, context: context)
            let reference = layer.defaultPerturbedOutputs(inputs: inputs, parameters: params, parameter: p,
                                                          elements: elements, values: values, beforeActivation: false,
                                                          context: context)
            #expect(fast.shape == reference.shape, "\(descriptor.name)")
            #expect(fast.shape == [batch * elements.count] + layer.outputShape)
            // Both are the same float64 function; they differ only in summation order, so by
            // a few ulps of the output's size.
            let scale = 1 + reference.maxAbs()
            let diff = zip(fast.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(diff <= 1e-13 * scale, "\(descriptor.name): \(diff)")
            if inputs.count == 1 {
                let single = layer.perturbedOutputs(input: inputs[0], parameters: params, parameter: p, elements: elements,
                                                    values: values, beforeActivation: true, context: context)
                #expect(single.scalars == fast.scalars, "\(descriptor.name)")
            }
        }
    }

    @Test func anUnchangedElementGivesTheUnperturbedOutputExactly() {
        // The verifier subtracts the path's own unperturbed rows; with δ = 0 every update adds 0.
        let layer = MultiHeadAttentionLayer(name: "mha", spec: MultiHeadAttentionSpec(numHeads: 2, keyDim: 3, useCausalMask: true),
                                            queryShape: [5, 6])
        let x = T.random([2, 5, 6], seed: 7)
        let params = T.randomParameters(layer, seed: 8)
        let base = T.run(layer, x, params)
        for p in params.indices {
            let y = layer.perturbedOutputs(input: x, parameters: params, parameter: p, elements: [0],
                                           values: [params[p].scalars[0]], beforeActivation: false,
                                           context: ForwardContext(training: false))
            #expect(y.scalars == base.scalars, "\(layer.parameters[p].name)")
        }
    }
}
