import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

@Suite struct ResidualLayerTests {
    typealias T = NormRNNSupport

    func block() throws -> ResidualLayer {
        try ResidualLayer(name: "residual_1", inputShape: [3], layers: [
            DenseLayer(name: "dense_2", spec: DenseSpec(units: 4, activation: .tanh), inputShape: [3]),
            LayerNormalizationLayer(name: "layer_normalization_1", inputShape: [4]),
            DenseLayer(name: "dense_3", spec: DenseSpec(units: 3), inputShape: [4]),
        ])
    }

    @Test func parametersAreTheInnerLayersConcatenated() throws {
        let r = try block()
        #expect(r.parameters.map(\.name) == ["dense_2/kernel", "dense_2/bias", "layer_normalization_1/gamma",
                                             "layer_normalization_1/beta", "dense_3/kernel", "dense_3/bias"])
        #expect(r.parameters.map(\.layer) == ["dense_2", "dense_2", "layer_normalization_1", "layer_normalization_1",
                                              "dense_3", "dense_3"])
        #expect(r.parameterRanges == [0..<2, 2..<4, 4..<6])
        #expect(r.outputShape == [3])
        #expect(r.typeName == "residual")
        #expect(r.isSampleIndependent)
        let withBN = try ResidualLayer(name: "r", inputShape: [3], layers: [BatchNormalizationLayer(name: "bn", inputShape: [3])])
        #expect(!withBN.isSampleIndependent)
    }

    @Test func outputIsInputPlusInnerOutput() throws {
        let dense = DenseLayer(name: "d", spec: DenseSpec(units: 2), inputShape: [2])
        let r = try ResidualLayer(name: "r", inputShape: [2], layers: [dense])
        let x = T.tensor([2, 2], [1, 2, -1, 0.5])
        let w = T.tensor([2, 2], [1, 2, 3, 4]), b = T.tensor([2], [0.5, -0.5])
        let y = T.forward(r, x, [w, b])
        // x + x·w + b
        // Row 1: x·w = [1 + 6, 2 + 8]; row 2: [-1 + 1.5, -2 + 2].
        let expected: [Double] = [1 + 7.5, 2 + 9.5, -1 + 1, 0.5 - 0.5]
        #expect(T.close(y.scalars, expected))
    }

    @Test func shapeMismatchIsAModelError() {
        #expect(throws: ModelError.self) {
            try ResidualLayer(name: "r", inputShape: [3], layers: [
                DenseLayer(name: "d", spec: DenseSpec(units: 4), inputShape: [3])])
        }
        do {
            _ = try ResidualLayer(name: "r", inputShape: [3], layers: [
                DenseLayer(name: "d", spec: DenseSpec(units: 4), inputShape: [3])])
        } catch {
            #expect(error.message.contains("[4]") && error.message.contains("[3]"))
        }
        #expect(throws: ModelError.self) {
            try ResidualLayer(name: "r", inputShape: [3], layers: [
                DenseLayer(name: "d", spec: DenseSpec(units: 3), inputShape: [2])])
        }
        #expect(throws: ModelError.self) { try ResidualLayer(name: "r", inputShape: [3], layers: []) }
        // An activity regulariser inside a block would be silently ignored by the model: rejected.
        #expect(throws: ModelError.self) {
            try ResidualLayer(name: "r", inputShape: [3], layers: [
                DenseLayer(name: "d", spec: DenseSpec(units: 3, activityRegularizer: RegularizerSpec(l2: 0.1)), inputShape: [3])])
        }
    }

    /// The delegating override gives what one full forward pass per change gives.
    @Test func perturbedOutputsMatchTheDefault() throws {
        let r = try block()
        let x = T.random([4, 3], seed: 2)
        let p = r.parameters.enumerated().map { T.random($0.element.shape, seed: 20 + UInt64($0.offset), scale: 0.7) }
        let context = ForwardContext(training: true)
        for parameter in 0..<p.count {
            let elements = Array(0..<min(p[parameter].count, 5))
            let values = elements.map { p[parameter].scalars[$0] + 0.25 }
            let fast = r.perturbedOutputs(input: x, parameters: p, parameter: parameter, elements: elements, values: values,
                                          beforeActivation: false, context: context)
            let slow = r.defaultPerturbedOutputs(input: x, parameters: p, parameter: parameter, elements: elements,
                                                 values: values, beforeActivation: false, context: context)
            #expect(fast.shape == slow.shape)
            #expect(T.close(fast.scalars, slow.scalars, tolerance: 1e-13), "parameter \(parameter)")
        }
    }

    /// Batch normalisation after the perturbed layer inside the block sees the stacked
    /// copies and normalises each on its own.
    @Test func perturbedOutputsMatchTheDefaultWithBatchNormalizationInside() throws {
        let r = try ResidualLayer(name: "r", inputShape: [3], layers: [
            DenseLayer(name: "d", spec: DenseSpec(units: 3), inputShape: [3]),
            BatchNormalizationLayer(name: "bn", inputShape: [3]),
        ])
        let x = T.random([4, 3], seed: 2)
        let p = [T.random([3, 3], seed: 1), T.random([3], seed: 2), T.random([3], seed: 3), T.random([3], seed: 4),
                 T.tensor([3], [0, 0, 0]), T.tensor([3], [1, 1, 1])]
        let context = ForwardContext(training: true)
        let elements = [0, 4, 8], values = [0.3, -0.2, 1.5]
        let fast = r.perturbedOutputs(input: x, parameters: p, parameter: 0, elements: elements, values: values,
                                      beforeActivation: false, context: context)
        let slow = r.defaultPerturbedOutputs(input: x, parameters: p, parameter: 0, elements: elements, values: values,
                                             beforeActivation: false, context: context)
        #expect(T.close(fast.scalars, slow.scalars, tolerance: 1e-13))
    }
}
