import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

private func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    var rng = SeededRNG(seed: seed)
    return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })
}

private func forward(_ layer: any Layer, _ x: Tensor<Double>, _ p: [Tensor<Double>], before: Bool = false) -> Tensor<Double> {
    let tape = Tape<Double>(recording: false)
    let xs = tape.constant(x), ps = p.map { tape.constant($0) }
    let y = before ? layer.forwardBeforeActivation(xs, ps, on: tape, context: ForwardContext(training: true))
                   : layer.forward(xs, ps, on: tape, context: ForwardContext(training: true))
    return tape.value(y)
}

/// A direct, loop-by-loop convolution with TensorFlow padding, written from FORMATS.md.
private func naiveConv(_ x: Tensor<Double>, _ k: Tensor<Double>, strides: [Int], same: Bool) -> Tensor<Double> {
    let (b, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (kh, kw, f) = (k.shape[0], k.shape[1], k.shape[3])
    func axis(_ n: Int, _ k: Int, _ s: Int) -> (pad: Int, out: Int) {
        if !same { return (0, (n - k) / s + 1) }
        let out = (n + s - 1) / s
        return (max((out - 1) * s + k - n, 0) / 2, out)
    }
    let (pt, oh) = axis(h, kh, strides[0]), (pl, ow) = axis(w, kw, strides[1])
    var y = [Double](repeating: 0, count: b * oh * ow * f)
    for n in 0..<b { for i in 0..<oh { for j in 0..<ow { for o in 0..<f {
        var acc = 0.0
        for di in 0..<kh { for dj in 0..<kw {
            let r = i * strides[0] - pt + di, s = j * strides[1] - pl + dj
            guard r >= 0, r < h, s >= 0, s < w else { continue }
            for ch in 0..<c { acc += x.scalars[((n * h + r) * w + s) * c + ch] * k.scalars[((di * kw + dj) * c + ch) * f + o] }
        } }
        y[((n * oh + i) * ow + j) * f + o] = acc
    } } } }
    return Tensor(unchecked: [b, oh, ow, f], scalars: y)
}

@Suite struct Conv2DLayerTests {
    @Test func tensorflowSamePaddingArithmetic() {
        // out = ceil(n / s); total = max((out - 1) * s + k - n, 0); the odd one after.
        #expect(Window2D.padding(input: 5, window: 3, stride: 1, same: true) == (1, 1, 5))
        #expect(Window2D.padding(input: 6, window: 2, stride: 1, same: true) == (0, 1, 6))
        #expect(Window2D.padding(input: 7, window: 3, stride: 2, same: true) == (1, 1, 4))
        #expect(Window2D.padding(input: 5, window: 2, stride: 2, same: true) == (0, 1, 3))
        #expect(Window2D.padding(input: 6, window: 3, stride: 2, same: true) == (0, 1, 3))
        #expect(Window2D.padding(input: 4, window: 4, stride: 2, same: true) == (1, 1, 2))
        #expect(Window2D.padding(input: 3, window: 4, stride: 3, same: true) == (0, 1, 1))
        #expect(Window2D.padding(input: 8, window: 1, stride: 3, same: true) == (0, 0, 3))
        #expect(Window2D.padding(input: 2, window: 5, stride: 1, same: true) == (2, 2, 2))
        #expect(Window2D.padding(input: 7, window: 3, stride: 2, same: false) == (0, 0, 3))
        #expect(Window2D.padding(input: 6, window: 2, stride: 2, same: false) == (0, 0, 3))
        #expect(Window2D.padding(input: 2, window: 3, stride: 1, same: false) == (0, 0, 0))
    }

    @Test func shapesAndParameterLayout() {
        let layer = Conv2DLayer(name: "conv2d_1",
                                spec: Conv2DSpec(filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: .same),
                                inputShape: [7, 5, 3])
        #expect(layer.outputShape == [4, 5, 4])
        #expect(layer.parameters.map(\.name) == ["conv2d_1/kernel", "conv2d_1/bias"])
        #expect(layer.parameters.map(\.shape) == [[3, 2, 3, 4], [4]])
        let valid = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 2, kernelSize: [3, 3], strides: [2, 2], useBias: false),
                                inputShape: [7, 6, 1])
        #expect(valid.outputShape == [3, 2, 2])
        #expect(valid.parameters.map(\.shape) == [[3, 3, 1, 2]])
        #expect(Conv2DLayer.inputProblem(spec: Conv2DSpec(filters: 1, kernelSize: [3, 3]), inputShape: [64])
            == "needs an input of rank 3 (height, width, channels), got [64]")
        #expect(Conv2DLayer.inputProblem(spec: Conv2DSpec(filters: 1, kernelSize: [3, 3]), inputShape: [2, 8, 1]) != nil)
        #expect(Conv2DLayer.inputProblem(spec: Conv2DSpec(filters: 1, kernelSize: [3, 3], padding: .same), inputShape: [2, 8, 1]) == nil)
    }

    @Test func handComputedForwardValues() {
        // 3x3 single-channel input 1...9, a 2x2 kernel [[1, 0], [0, -1]] (x[i,j] - x[i+1,j+1]), bias 0.5.
        let x = Tensor<Double>(unchecked: [1, 3, 3, 1], scalars: (1...9).map(Double.init))
        let k = Tensor<Double>(unchecked: [2, 2, 1, 1], scalars: [1, 0, 0, -1])
        let b = Tensor<Double>(unchecked: [1], scalars: [0.5])
        let valid = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 1, kernelSize: [2, 2]), inputShape: [3, 3, 1])
        #expect(forward(valid, x, [k, b]).scalars == [-3.5, -3.5, -3.5, -3.5])
        // Same padding with a 2x2 kernel pads one row at the bottom and one column at the
        // right (the odd one after): the last row / column sees zeros below / right.
        let same = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 1, kernelSize: [2, 2], padding: .same), inputShape: [3, 3, 1])
        #expect(forward(same, x, [k, b]).shape == [1, 3, 3, 1])
        #expect(forward(same, x, [k, b]).scalars == [-3.5, -3.5, 3.5, -3.5, -3.5, 6.5, 7.5, 8.5, 9.5])
        // Strides 2, same: out 2x2; total padding (2-1)*2+2-3 = 1, after.
        let strided = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 1, kernelSize: [2, 2], strides: [2, 2], padding: .same),
                                  inputShape: [3, 3, 1])
        #expect(forward(strided, x, [k, b]).scalars == [-3.5, 3.5, 7.5, 9.5])
        // Relu activation.
        let relu = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 1, kernelSize: [2, 2], activation: .relu), inputShape: [3, 3, 1])
        #expect(forward(relu, x, [k, b]).scalars == [0, 0, 0, 0])
        #expect(forward(relu, x, [k, b], before: true).scalars == [-3.5, -3.5, -3.5, -3.5])
    }

    @Test(arguments: [(false, [1, 1], [3, 3]), (true, [1, 1], [3, 3]), (true, [2, 2], [3, 2]),
                      (true, [2, 3], [4, 4]), (false, [2, 1], [2, 3]), (true, [3, 2], [1, 1])])
    func forwardMatchesADirectConvolution(same: Bool, strides: [Int], kernel: [Int]) {
        let layer = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 3, kernelSize: kernel, strides: strides,
                                                             padding: same ? .same : .valid, useBias: false),
                                inputShape: [7, 6, 2])
        let x = random([2, 7, 6, 2], seed: 1), k = random(kernel + [2, 3], seed: 2)
        let expected = naiveConv(x, k, strides: strides, same: same)
        let y = forward(layer, x, [k])
        #expect(y.shape == expected.shape)
        #expect(zip(y.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-13)
    }

    @Test func col2imIsTheAdjointOfIm2col() {
        for same in [false, true] {
            let w = Window2D(inputHeight: 5, inputWidth: 4, windowHeight: 3, windowWidth: 2, strideHeight: 2,
                             strideWidth: 1, same: same)
            let x = random([2, 5, 4, 3], seed: 3)
            let cols = x.im2col(window: w)
            #expect(cols.shape == [2 * w.outputHeight * w.outputWidth, 3 * 2 * 3])
            let c = random(cols.shape, seed: 4)
            let lhs = zip(cols.scalars, c.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            let back = c.col2im(window: w, shape: x.shape)
            let rhs = zip(x.scalars, back.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(lhs - rhs) < 1e-12 * max(1, abs(lhs)))
        }
    }

    @Test func vjpMatchesTheDirectConvolutionTransposed() {
        // ⟨g, conv(x, k)⟩ is bilinear: its gradients are ∂x and ∂k, checked by linearity
        // against the direct convolution of basis perturbations on a few elements.
        let w = Window2D(inputHeight: 5, inputWidth: 5, windowHeight: 3, windowWidth: 3, strideHeight: 2, strideWidth: 2, same: true)
        let x = random([2, 5, 5, 2], seed: 5), k = random([3, 3, 2, 3], seed: 6)
        let tape = Tape<Double>()
        let xv = tape.variable(x), kv = tape.variable(k)
        let y = tape.conv2D(xv, kv, window: w)
        let g = random(tape.value(y).shape, seed: 7)
        let grads = tape.gradients(of: y, seed: g, withRespectTo: [xv, kv])
        func inner(_ x: Tensor<Double>, _ k: Tensor<Double>) -> Double {
            zip(naiveConv(x, k, strides: [2, 2], same: true).scalars, g.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for e in [0, 7, 23, 49, 99] {
            var dx = Tensor<Double>.zeros(x.shape)
            dx.scalars[e] = 1
            #expect(abs(inner(dx, k) - grads[0].scalars[e]) < 1e-12)
        }
        for e in [0, 5, 17, 53] {
            var dk = Tensor<Double>.zeros(k.shape)
            dk.scalars[e] = 1
            #expect(abs(inner(x, dk) - grads[1].scalars[e]) < 1e-12)
        }
    }

    static let fastPathCases: [(ActivationSpec, Padding, [Int], Bool)] = [
        (.linear, .valid, [1, 1], true), (.relu, .same, [1, 1], true), (.tanh, .same, [2, 2], true),
        (.softmax, .same, [2, 1], true), (.swish, .valid, [1, 2], false),
    ]

    @Test(arguments: fastPathCases)
    func perturbedOutputsMatchTheDefault(activation: ActivationSpec, padding: Padding, strides: [Int], useBias: Bool) {
        let layer = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 4, kernelSize: [3, 2], strides: strides, padding: padding,
                                                             activation: activation, useBias: useBias),
                                inputShape: [5, 6, 3])
        let input = random([3, 5, 6, 3], seed: 8)
        var params = [random([3, 2, 3, 4], seed: 9)]
        if useBias { params.append(random([4], seed: 10)) }
        var cases = [(0, [0, 3, 17, 71, 40, 5])]
        if useBias { cases.append((1, [0, 3, 1])) }
        for (p, elements) in cases {
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

    @Test func floatAndDoubleAgree() {
        let layer = Conv2DLayer(name: "c", spec: Conv2DSpec(filters: 2, kernelSize: [2, 2], padding: .same, activation: .tanh),
                                inputShape: [4, 4, 2])
        let x = random([2, 4, 4, 2], seed: 11), k = random([2, 2, 2, 2], seed: 12), b = random([2], seed: 13)
        let yd = forward(layer, x, [k, b])
        let tape = Tape<Float>(recording: false)
        let yf = tape.value(layer.forward(tape.constant(x.converted(to: Float.self)),
                                          [k, b].map { tape.constant($0.converted(to: Float.self)) },
                                          on: tape, context: ForwardContext(training: false)))
        #expect(zip(yd.scalars, yf.scalars).map { abs($0 - Double($1)) }.max()! < 1e-5)
    }
}
