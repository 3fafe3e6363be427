import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

private func run(_ layer: any Layer, _ x: Tensor<Double>, seed g: Tensor<Double>? = nil) -> (y: Tensor<Double>, dx: Tensor<Double>) {
    let tape = Tape<Double>()
    let xv = tape.variable(x)
    let y = layer.forward(xv, [], on: tape, context: ForwardContext(training: true))
    let seed = g ?? Tensor(repeating: 1, shape: tape.value(y).shape)
    return (tape.value(y), tape.gradients(of: y, seed: seed, withRespectTo: [xv])[0])
}

@Suite struct PoolingLayerTests {
    // A 4x4 single-channel image 0...15 (row-major).
    static let ramp = Tensor<Double>(unchecked: [1, 4, 4, 1], scalars: (0..<16).map(Double.init))

    @Test func maxPoolingShapesAndValues() {
        let layer = Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(), inputShape: [4, 4, 1])
        #expect(layer.outputShape == [2, 2, 1])
        let (y, dx) = run(layer, Self.ramp)
        #expect(y.scalars == [5, 7, 13, 15])
        var expected = [Double](repeating: 0, count: 16)
        for i in [5, 7, 13, 15] { expected[i] = 1 }
        #expect(dx.scalars == expected)
        // Strides default to the pool size; `same` on 5x5 with pool 2 pads one after.
        let same = Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(poolSize: [2, 2], padding: .same), inputShape: [5, 5, 2])
        #expect(same.outputShape == [3, 3, 2])
        let strided = Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(poolSize: [3, 3], strides: [1, 2]), inputShape: [5, 7, 1])
        #expect(strided.outputShape == [3, 3, 1])
        #expect(Pooling2DLayer.inputProblem(spec: Pooling2DSpec(), inputShape: [16])
            == "needs an input of rank 3 (height, width, channels), got [16]")
        #expect(Pooling2DLayer.inputProblem(spec: Pooling2DSpec(poolSize: [3, 3]), inputShape: [2, 5, 1]) != nil)
    }

    @Test func maxPoolingWithSamePaddingNeverPicksThePadding() {
        // All-negative input: a zero in the padding would win if padding took part.
        let x = Tensor<Double>(unchecked: [1, 3, 3, 1], scalars: (1...9).map { -Double($0) })
        let layer = Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(padding: .same), inputShape: [3, 3, 1])
        let (y, _) = run(layer, x)
        #expect(y.shape == [1, 2, 2, 1])
        #expect(y.scalars == [-1, -3, -7, -9])
    }

    @Test func maxPoolingTiesSendTheGradientToTheFirstMaximumInRowMajorOrder() {
        // Window 1 (top-left): 3 at (0,1) and (1,0) tie; window 2: 2 everywhere.
        let x = Tensor<Double>(unchecked: [1, 2, 4, 1], scalars: [1, 3, 2, 2,
                                                                 3, 0, 2, 2])
        let layer = Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(), inputShape: [2, 4, 1])
        let (y, dx) = run(layer, x, seed: Tensor(unchecked: [1, 1, 2, 1], scalars: [10, 20]))
        #expect(y.scalars == [3, 2])
        #expect(dx.scalars == [0, 10, 20, 0,
                               0, 0, 0, 0])
    }

    @Test func maxPoolingKeepsChannelsApart() {
        // Two channels interleaved (NHWC): channel 0 is 0...3, channel 1 is 3...0.
        let x = Tensor<Double>(unchecked: [1, 2, 2, 2], scalars: [0, 3, 1, 2, 2, 1, 3, 0])
        let (y, dx) = run(Pooling2DLayer(name: "p", reduction: .max, spec: Pooling2DSpec(), inputShape: [2, 2, 2]), x)
        #expect(y.scalars == [3, 3])
        #expect(dx.scalars == [0, 1, 0, 0, 0, 0, 1, 0])
    }

    @Test func averagePoolingValidAndSame() {
        let valid = Pooling2DLayer(name: "p", reduction: .average, spec: Pooling2DSpec(), inputShape: [4, 4, 1])
        let (y, dx) = run(valid, Self.ramp)
        #expect(y.scalars == [2.5, 4.5, 10.5, 12.5])
        #expect(dx.scalars == [Double](repeating: 0.25, count: 16))
        // 3x3 input, pool 2, same: out 2x2, one row / column of padding after. The
        // windows at the edge average over their valid elements only (TensorFlow).
        let x = Tensor<Double>(unchecked: [1, 3, 3, 1], scalars: (1...9).map(Double.init))
        let same = Pooling2DLayer(name: "p", reduction: .average, spec: Pooling2DSpec(padding: .same), inputShape: [3, 3, 1])
        let (ys, dxs) = run(same, x)
        #expect(ys.scalars == [3, 4.5, 7.5, 9])
        #expect(dxs.scalars == [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1])
        // Pool 3, stride 1, same on 3x3: padding one on each side; the centre window has
        // 9 valid elements, a corner 4, an edge 6.
        let wide = Pooling2DLayer(name: "p", reduction: .average, spec: Pooling2DSpec(poolSize: [3, 3], strides: [1, 1], padding: .same),
                                         inputShape: [3, 3, 1])
        let (yw, _) = run(wide, x)
        #expect(yw.scalars == [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7])
    }

    @Test func globalAveragePooling() {
        let x = Tensor<Double>(unchecked: [2, 2, 2, 3], scalars: (0..<24).map(Double.init))
        let layer = GlobalAveragePooling2DLayer(name: "g", inputShape: [2, 2, 3])
        #expect(layer.outputShape == [3])
        let (y, dx) = run(layer, x, seed: Tensor(unchecked: [2, 3], scalars: [4, 8, 12, 16, 20, 24]))
        #expect(y.shape == [2, 3])
        #expect(y.scalars == [4.5, 5.5, 6.5, 16.5, 17.5, 18.5])
        #expect(dx.scalars == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6])
        #expect(GlobalAveragePooling2DLayer.inputProblem(inputShape: [4, 3]) != nil)
    }
}
