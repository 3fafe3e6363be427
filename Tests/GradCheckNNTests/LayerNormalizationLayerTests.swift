import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

@Suite struct LayerNormalizationLayerTests {
    typealias T = NormRNNSupport

    @Test func parametersAndShapes() {
        let ln = LayerNormalizationLayer(name: "layer_normalization_1", inputShape: [4, 3])
        #expect(ln.parameters.map(\.name) == ["layer_normalization_1/gamma", "layer_normalization_1/beta"])
        #expect(ln.parameters.map(\.shape) == [[3], [3]])
        #expect(ln.parameters.allSatisfy { $0.trainable })
        #expect(ln.outputShape == [4, 3])
        #expect(ln.isSampleIndependent)
        #expect(ln.epsilon == 1e-3)
        let spec = LayerNormalizationLayer(name: "ln", spec: LayerNormalizationSpec(epsilon: 1e-6, scale: false), inputShape: [3])
        #expect(spec.epsilon == 1e-6)
        #expect(spec.parameters.map(\.name) == ["ln/beta"])
    }

    /// Row `[1, 2, 3]`: mean 2, biased variance 2/3.
    @Test func normalisesEachRowOverTheLastAxis() {
        let ln = LayerNormalizationLayer(name: "ln", inputShape: [3])
        let x = T.tensor([2, 3], [1, 2, 3, 10, 10, 13])
        let gamma = T.tensor([3], [1, 2, 3]), beta = T.tensor([3], [0, 1, -1])
        let y = T.forward(ln, x, [gamma, beta])
        let s1 = 1 / (2.0 / 3 + 1e-3).squareRoot()
        let s2 = 1 / (2.0 + 1e-3).squareRoot()  // row 2: mean 11, deviations -1, -1, 2, variance 2
        let row1: [Double] = [-s1, 1, 3 * s1 - 1]
        let row2: [Double] = [-s2, -2 * s2 + 1, 6 * s2 - 1]
        let expected = row1 + row2
        #expect(T.close(y.scalars, expected))
    }

    @Test func trainingAndInferenceAgreeAndSamplesAreIndependent() {
        let ln = LayerNormalizationLayer(name: "ln", inputShape: [2, 4])
        let x = T.random([3, 2, 4], seed: 4, scale: 5)
        let p = [T.random([4], seed: 1), T.random([4], seed: 2)]
        let train = T.forward(ln, x, p)
        let infer = T.forward(ln, x, p, context: ForwardContext(training: false))
        #expect(train == infer)
        let first = T.forward(ln, Tensor(unchecked: [1, 2, 4], scalars: Array(x.scalars[0..<8])), p)
        #expect(first.scalars == Array(train.scalars[0..<8]))
    }
}
