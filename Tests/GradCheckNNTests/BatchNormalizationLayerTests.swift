import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// Helpers shared by the normalisation, residual and recurrent layer tests.
enum NormRNNSupport {
    /// The layer's output on `x` (a forward pass without a record).
    static func forward(_ layer: any Layer, _ x: Tensor<Double>, _ parameters: [Tensor<Double>],
                        context: ForwardContext = ForwardContext(training: true)) -> Tensor<Double> {
        let tape = Tape<Double>(recording: false)
        return tape.value(layer.forward(tape.constant(x), parameters.map { tape.constant($0) }, on: tape, context: context))
    }

    static func tensor(_ shape: [Int], _ values: [Double]) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: values)
    }

    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in scale * rng.normal() })
    }

    static func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0), abs($1)) }
    }
}

@Suite struct BatchNormalizationLayerTests {
    typealias T = NormRNNSupport

    @Test func parametersFollowKerasNamesAndOrder() {
        let bn = BatchNormalizationLayer(name: "batch_normalization_1", inputShape: [5, 3])
        #expect(bn.parameters.map(\.name) == ["batch_normalization_1/gamma", "batch_normalization_1/beta",
                                              "batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance"])
        #expect(bn.parameters.map(\.shape) == [[3], [3], [3], [3]])
        #expect(bn.parameters.map(\.trainable) == [true, true, false, false])
        #expect(bn.parameters.map(\.initializer) == [.ones, .zeros, .zeros, .ones])
        #expect(bn.outputShape == [5, 3])
        #expect(!bn.isSampleIndependent)
        #expect(bn.epsilon == 1e-3 && bn.momentum == 0.99)
        let bare = BatchNormalizationLayer(name: "bn", inputShape: [3], center: false, scale: false)
        #expect(bare.parameters.map(\.name) == ["bn/moving_mean", "bn/moving_variance"])
        let spec = BatchNormalizationLayer(name: "bn", spec: BatchNormalizationSpec(momentum: 0.9, epsilon: 1e-5, center: false),
                                           inputShape: [4])
        #expect(spec.momentum == 0.9 && spec.epsilon == 1e-5)
        #expect(spec.parameters.map(\.name) == ["bn/gamma", "bn/moving_mean", "bn/moving_variance"])
    }

    /// Column 0 of `x` has mean 2 and biased variance 1, column 1 mean 4 and variance 4.
    @Test func trainingUsesBatchMeanAndBiasedVariance() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [2])
        let x = T.tensor([2, 2], [1, 2, 3, 6])
        let gamma = T.tensor([2], [2, 0.5]), beta = T.tensor([2], [1, -1])
        let moving = [T.tensor([2], [100, 100]), T.tensor([2], [7, 7])]  // ignored in training
        let y = T.forward(bn, x, [gamma, beta] + moving)
        let a = 1 / (1 + 1e-3).squareRoot(), b = 2 / (4 + 1e-3).squareRoot()
        let expected: [Double] = [1 - 2 * a, -1 - 0.5 * b, 1 + 2 * a, -1 + 0.5 * b]
        #expect(T.close(y.scalars, expected))
    }

    @Test func statisticsRunOverEveryAxisButTheLast() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [3, 2])
        let x = T.random([4, 3, 2], seed: 5, scale: 3)
        let p = [T.tensor([2], [1, 1]), T.tensor([2], [0, 0]), T.tensor([2], [0, 0]), T.tensor([2], [1, 1])]
        let y = T.forward(bn, x, p)
        // Each column, over all 12 (sample, step) rows, has mean 0 and variance v/(v+ε).
        for c in 0..<2 {
            let xs = stride(from: c, to: 24, by: 2).map { x.scalars[$0] }
            let ys = stride(from: c, to: 24, by: 2).map { y.scalars[$0] }
            let m = xs.reduce(0, +) / 12
            let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 12
            let ym = ys.reduce(0, +) / 12
            let yv = ys.map { ($0 - ym) * ($0 - ym) }.reduce(0, +) / 12
            #expect(abs(ym) < 1e-14)
            #expect(abs(yv - v / (v + 1e-3)) < 1e-12)
        }
    }

    /// A stacked batch (the verifier's perturbed copies) is normalised copy by copy, each
    /// copy exactly as if it were a batch of its own.
    @Test func stackedCopiesUseTheirOwnStatistics() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [3])
        let p = [T.random([3], seed: 1), T.random([3], seed: 2), T.tensor([3], [0, 0, 0]), T.tensor([3], [1, 1, 1])]
        let copies = (0..<3).map { T.random([4, 3], seed: 10 + UInt64($0)) }
        let stacked = Tensor(unchecked: [12, 3], scalars: copies.flatMap(\.scalars))
        let context = ForwardContext(training: true).stacked(rowSource: Array(0..<4) + Array(0..<4) + Array(0..<4),
                                                             originalBatchSize: 4)
        let y = T.forward(bn, stacked, p, context: context)
        let expected = copies.flatMap { T.forward(bn, $0, p).scalars }
        #expect(T.close(y.scalars, expected))
        // Without the row mapping, the 12 rows are one batch and the result differs.
        let pooled = T.forward(bn, stacked, p)
        #expect(!T.close(pooled.scalars, expected, tolerance: 1e-6))
        #expect(BatchNormalizationLayer.groupCount(batch: 12, context: context) == 3)
        #expect(BatchNormalizationLayer.groupCount(batch: 12, context: ForwardContext(training: true)) == 1)
    }

    @Test func inferenceUsesMovingStatistics() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [2])
        let x = T.tensor([3, 2], [1, 2, 3, 6, -1, 0])
        let gamma = T.tensor([2], [2, 0.5]), beta = T.tensor([2], [1, -1])
        let mean = T.tensor([2], [0.5, -2]), variance = T.tensor([2], [4, 0.25])
        let y = T.forward(bn, x, [gamma, beta, mean, variance], context: ForwardContext(training: false))
        var expected: [Double] = []
        for r in 0..<3 {
            for c in 0..<2 {
                let v = (x.scalars[r * 2 + c] - mean.scalars[c]) / (variance.scalars[c] + 1e-3).squareRoot()
                expected.append(gamma.scalars[c] * v + beta.scalars[c])
            }
        }
        #expect(T.close(y.scalars, expected))
        // A single sample at inference is normalised the same way (no batch statistics).
        let one = T.forward(bn, T.tensor([1, 2], [3, 6]), [gamma, beta, mean, variance], context: ForwardContext(training: false))
        #expect(T.close(one.scalars, Array(expected[2..<4])))
    }

    /// Keras 3: `moving = moving · momentum + batch · (1 − momentum)`, with the biased
    /// batch variance.
    @Test func movingStatisticsUpdateFollowsKeras() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [2], momentum: 0.9)
        let x = T.tensor([2, 2], [1, 2, 3, 6])  // means [2, 4], biased variances [1, 4]
        let (m, v) = bn.updatedMovingStatistics(input: x, movingMean: T.tensor([2], [1, -1]),
                                                movingVariance: T.tensor([2], [2, 0.5]))
        let expectedMean: [Double] = [0.9 + 0.2, -0.9 + 0.4]
        let expectedVariance: [Double] = [1.8 + 0.1, 0.45 + 0.4]
        #expect(T.close(m.scalars, expectedMean))
        #expect(T.close(v.scalars, expectedVariance))
        let stats = bn.batchStatistics(input: x)
        #expect(stats.mean.scalars == [2, 4] && stats.variance.scalars == [1, 4])
    }

    @Test func modelUpdatesMovingStatisticsOfEveryBatchNormalization() throws {
        let inner = BatchNormalizationLayer(name: "bn_inner", inputShape: [2])
        let model = try Model(name: "m", inputShape: [2], layers: [
            BatchNormalizationLayer(name: "bn_1", inputShape: [2]),
            try ResidualLayer(name: "res", inputShape: [2], layers: [inner]),
        ], loss: LossSpec(kind: .meanSquaredError))
        let params: ParameterSet<Double> = model.initialParameters(seed: 0)
        let x = T.tensor([2, 2], [1, 2, 3, 6])
        let updated = try model.updatingMovingStatistics(params, inputs: x, context: ForwardContext(training: true))
        #expect(T.close(updated["bn_1/moving_mean"]!.scalars, [0.02, 0.04]))
        let outerVariance: [Double] = [1.0, 1.03]
        #expect(T.close(updated["bn_1/moving_variance"]!.scalars, outerVariance))
        // bn_1's output (γ = 1, β = 0) has mean 0 and variance v/(v + ε) per column.
        #expect(T.close(updated["bn_inner/moving_mean"]!.scalars, [0, 0], tolerance: 1e-15))
        let innerVariance: [Double] = [0.99 + 0.01 / 1.001, 0.99 + 0.04 / 4.001]
        #expect(T.close(updated["bn_inner/moving_variance"]!.scalars, innerVariance))
        #expect(updated["bn_1/gamma"] == params["bn_1/gamma"])
        #expect(updated.names == params.names)
    }

    @Test func trainableParametersExcludeMovingStatistics() throws {
        let model = try Model(name: "m", inputShape: [3], layers: [
            BatchNormalizationLayer(name: "bn", inputShape: [3]),
            DenseLayer(name: "d", spec: DenseSpec(units: 2), inputShape: [3]),
        ], loss: LossSpec(kind: .meanSquaredError))
        #expect(model.trainableParameters.map(\.name) == ["bn/gamma", "bn/beta", "d/kernel", "d/bias"])
        let params: [Tensor<Double>] = try model.orderedTensors(model.initialParameters(seed: 1))
        let g = model.lossAndGradients(parameters: params, inputs: T.random([4, 3], seed: 3),
                                       targets: .values(T.random([4, 2], seed: 4)),
                                       context: ForwardContext(training: true))
        #expect(g.parameters.names == ["bn/gamma", "bn/beta", "d/kernel", "d/bias"])
    }

    @Test func floatAndDoubleAgree() {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [3])
        let x = T.random([5, 3], seed: 9)
        let p = [T.random([3], seed: 1), T.random([3], seed: 2), T.tensor([3], [0, 0, 0]), T.tensor([3], [1, 1, 1])]
        let yd = T.forward(bn, x, p)
        let tape = Tape<Float>(recording: false)
        let yf = tape.value(bn.forward(tape.constant(x.converted(to: Float.self)),
                                       p.map { tape.constant($0.converted(to: Float.self)) }, on: tape,
                                       context: ForwardContext(training: true)))
        #expect(zip(yd.scalars, yf.scalars).allSatisfy { abs($0 - Double($1)) < 1e-5 })
    }
}
