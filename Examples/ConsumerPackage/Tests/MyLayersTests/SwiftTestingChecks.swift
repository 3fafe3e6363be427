import GradCheck
import GradCheckTesting
import MyLayers
import Testing

@Suite struct MyLayerGradients {
    @Test func scaledTanhHasCorrectGradients() {
        expectCorrectGradients(of: ScaledTanh(name: "scaled", units: 5))
    }

    @Test func softclipDerivativeIsCorrect() {
        expectCorrectGradients(of: meanSoftclip, at: [0.3, -2.0, 4.5, 0.0])
    }

    @Test func aModelWithTheCustomLayerChecksEndToEnd() throws {
        let model = try Model(
            name: "with-custom-layer", inputShape: [4],
            layers: [DenseLayer(name: "dense_1", spec: DenseSpec(units: 5), inputShape: [4]),
                     ScaledTanh(name: "scaled", units: 5),
                     DenseLayer(name: "dense_2", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [5])],
            loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: false))
        let (x, y) = GradientChecks.randomBatch(model, batchSize: 6, seed: 1)
        let report = try ModelChecker().check(model, parameters: model.initialParameters(seed: 2), inputs: x, targets: y)
        #expect(report.passed)
    }
}
