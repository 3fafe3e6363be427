import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// Forward values of `simple_rnn`, `lstm` and `gru` against scalar loops written from the
/// Keras equations (FORMATS.md layouts and gate orders), and small cases by hand.
@Suite struct RecurrentLayerTests {
    typealias T = NormRNNSupport

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// `x[b, t, :] · W[:, j]`.
    static func project(_ x: Tensor<Double>, _ b: Int, _ t: Int, _ w: Tensor<Double>, _ j: Int) -> Double {
        let steps = x.shape[1], f = x.shape[2], n = w.shape[1]
        var s = 0.0
        for i in 0..<f { s += x.scalars[(b * steps + t) * f + i] * w.scalars[i * n + j] }
        return s
    }

    /// `h · U[:, j]`.
    static func recur(_ h: [Double], _ u: Tensor<Double>, _ j: Int) -> Double {
        let n = u.shape[1]
        var s = 0.0
        for i in 0..<h.count { s += h[i] * u.scalars[i * n + j] }
        return s
    }

    /// Every state of each sample, `[batch][t][units]`.
    static func referenceLSTM(_ x: Tensor<Double>, _ w: Tensor<Double>, _ u: Tensor<Double>, _ bias: Tensor<Double>,
                              units n: Int) -> [[[Double]]] {
        (0..<x.shape[0]).map { b in
            var h = [Double](repeating: 0, count: n), c = h
            var states: [[Double]] = []
            for t in 0..<x.shape[1] {
                var hNew = h, cNew = c
                for k in 0..<n {
                    func z(_ gate: Int) -> Double {
                        project(x, b, t, w, gate * n + k) + recur(h, u, gate * n + k) + bias.scalars[gate * n + k]
                    }
                    let i = sigmoid(z(0)), f = sigmoid(z(1)), g = tanh(z(2)), o = sigmoid(z(3))
                    cNew[k] = f * c[k] + i * g
                    hNew[k] = o * tanh(cNew[k])
                }
                h = hNew; c = cNew
                states.append(h)
            }
            return states
        }
    }

    static func referenceGRU(_ x: Tensor<Double>, _ w: Tensor<Double>, _ u: Tensor<Double>, _ bias: Tensor<Double>,
                             units n: Int) -> [[[Double]]] {
        (0..<x.shape[0]).map { b in
            var h = [Double](repeating: 0, count: n)
            var states: [[Double]] = []
            for t in 0..<x.shape[1] {
                var hNew = h
                for k in 0..<n {
                    func xp(_ gate: Int) -> Double { project(x, b, t, w, gate * n + k) + bias.scalars[gate * n + k] }
                    func hp(_ gate: Int) -> Double { recur(h, u, gate * n + k) + bias.scalars[3 * n + gate * n + k] }
                    let z = sigmoid(xp(0) + hp(0)), r = sigmoid(xp(1) + hp(1))
                    let candidate = tanh(xp(2) + r * hp(2))
                    hNew[k] = z * h[k] + (1 - z) * candidate
                }
                h = hNew
                states.append(h)
            }
            return states
        }
    }

    static func referenceRNN(_ x: Tensor<Double>, _ w: Tensor<Double>, _ u: Tensor<Double>, _ bias: Tensor<Double>,
                             units n: Int) -> [[[Double]]] {
        (0..<x.shape[0]).map { b in
            var h = [Double](repeating: 0, count: n)
            var states: [[Double]] = []
            for t in 0..<x.shape[1] {
                h = (0..<n).map { k in tanh(project(x, b, t, w, k) + recur(h, u, k) + bias.scalars[k]) }
                states.append(h)
            }
            return states
        }
    }

    func parameters(_ layer: any Layer, seed: UInt64) -> [Tensor<Double>] {
        layer.parameters.enumerated().map { T.random($0.element.shape, seed: seed + UInt64($0.offset), scale: 0.6) }
    }

    func check(_ make: (Bool) throws -> any Layer,
               reference: (Tensor<Double>, Tensor<Double>, Tensor<Double>, Tensor<Double>, Int) -> [[[Double]]]) throws {
        let last = try make(false), all = try make(true)
        let x = T.random([3] + last.inputShape, seed: 77)
        let p = parameters(last, seed: 5)
        let units = last.outputShape[0]
        let expected = reference(x, p[0], p[1], p[2], units)
        let steps = last.inputShape[0]
        let yLast = T.forward(last, x, p)
        #expect(yLast.shape == [3, units])
        #expect(T.close(yLast.scalars, expected.flatMap { $0[steps - 1] }, tolerance: 1e-13))
        let yAll = T.forward(all, x, p)
        #expect(yAll.shape == [3, steps, units])
        #expect(T.close(yAll.scalars, expected.flatMap { $0.flatMap { $0 } }, tolerance: 1e-13))
    }

    @Test func simpleRNNMatchesTheCellEquations() throws {
        try check({ try SimpleRNNLayer(name: "simple_rnn_1", inputShape: [4, 3], units: 5, returnSequences: $0) },
                  reference: Self.referenceRNN)
    }

    @Test func lstmMatchesTheCellEquations() throws {
        try check({ try LSTMLayer(name: "lstm_1", inputShape: [4, 3], units: 5, returnSequences: $0) },
                  reference: Self.referenceLSTM)
    }

    @Test func gruMatchesTheCellEquations() throws {
        try check({ try GRULayer(name: "gru_1", inputShape: [4, 3], units: 5, returnSequences: $0) },
                  reference: Self.referenceGRU)
    }

    /// One unit, one feature, two steps, by hand.
    @Test func tinyCasesByHand() throws {
        let x = T.tensor([1, 2, 1], [0.5, -1])
        let rnn = try SimpleRNNLayer(name: "r", inputShape: [2, 1], units: 1)
        let y = T.forward(rnn, x, [T.tensor([1, 1], [2]), T.tensor([1, 1], [0.5]), T.tensor([1], [0.1])])
        let h1: Double = tanh(1.1)
        let h2: Double = tanh(-2 + 0.5 * h1 + 0.1)
        #expect(T.close(y.scalars, [h2]))

        // LSTM with kernel [i, f, c, o] = [1, 2, 3, 4], recurrent 0.5 each, bias 0.
        let lstm = try LSTMLayer(name: "l", inputShape: [2, 1], units: 1)
        let ly = T.forward(lstm, x, [T.tensor([1, 4], [1, 2, 3, 4]), T.tensor([1, 4], [0.5, 0.5, 0.5, 0.5]),
                                     T.tensor([4], [0, 0, 0, 0])])
        let s = Self.sigmoid
        let c1: Double = s(0.5) * tanh(1.5)
        let l1: Double = s(2) * tanh(c1)
        let f2: Double = s(-2 + 0.5 * l1), i2: Double = s(-1 + 0.5 * l1), cand2: Double = tanh(-3 + 0.5 * l1)
        let c2: Double = f2 * c1 + i2 * cand2
        let l2: Double = s(-4 + 0.5 * l1) * tanh(c2)
        #expect(T.close(ly.scalars, [l2]))

        // GRU with kernel [z, r, h] = [1, 2, 3], recurrent [0.5, -0.5, 2], biases [0.1, 0.2, 0.3] / [0, 0, 1].
        let gru = try GRULayer(name: "g", inputShape: [2, 1], units: 1)
        let gy = T.forward(gru, x, [T.tensor([1, 3], [1, 2, 3]), T.tensor([1, 3], [0.5, -0.5, 2]),
                                    T.tensor([2, 3], [0.1, 0.2, 0.3, 0, 0, 1])])
        // Step 1 from h = 0: the recurrent projection is the recurrent bias alone.
        let z1: Double = s(0.6), r1: Double = s(1.2)
        let hh1: Double = tanh(1.8 + r1)
        let g1: Double = (1 - z1) * hh1
        let z2: Double = s(-0.9 + 0.5 * g1), r2: Double = s(-1.8 - 0.5 * g1)
        let hh2: Double = tanh(-2.7 + r2 * (2 * g1 + 1))
        let g2: Double = z2 * g1 + (1 - z2) * hh2
        #expect(T.close(gy.scalars, [g2]))
    }

    @Test func parameterLayoutsFollowKeras() throws {
        let rnn = try SimpleRNNLayer(name: "simple_rnn_1", inputShape: [10, 3], units: 4)
        #expect(rnn.parameters.map(\.name) == ["simple_rnn_1/kernel", "simple_rnn_1/recurrent_kernel", "simple_rnn_1/bias"])
        #expect(rnn.parameters.map(\.shape) == [[3, 4], [4, 4], [4]])
        let lstm = try LSTMLayer(name: "lstm_1", inputShape: [10, 3], units: 4)
        #expect(lstm.parameters.map(\.shape) == [[3, 16], [4, 16], [16]])
        #expect(lstm.parameters[1].initializer == .orthogonal())
        let gru = try GRULayer(name: "gru_1", inputShape: [10, 3], units: 4, returnSequences: true)
        #expect(gru.parameters.map(\.name) == ["gru_1/kernel", "gru_1/recurrent_kernel", "gru_1/bias"])
        #expect(gru.parameters.map(\.shape) == [[3, 12], [4, 12], [2, 12]])
        #expect(gru.outputShape == [10, 4])
        let noBias = try LSTMLayer(name: "l", inputShape: [2, 3], units: 4, useBias: false)
        #expect(noBias.parameters.count == 2)
    }

    @Test func specConvenienceCarriesTheConfiguration() throws {
        let spec = RecurrentSpec(units: 3, activation: .relu, recurrentActivation: .hardSigmoid, returnSequences: true,
                                 kernelRegularizer: RegularizerSpec(l2: 0.01))
        let lstm = try LSTMLayer(name: "lstm_1", spec: spec, inputShape: [5, 2])
        #expect(lstm.activation == .elementwise(.relu))
        #expect(lstm.recurrentActivation == .elementwise(.hardSigmoid))
        #expect(lstm.returnSequences && lstm.outputShape == [5, 3])
        #expect(lstm.parameters[0].regularizer == Regularizer(l2: 0.01))
        let gru = try GRULayer(name: "gru_1", spec: RecurrentSpec(units: 2), inputShape: [5, 2])
        #expect(gru.parameters[2].shape == [2, 6])
        let rnn = try SimpleRNNLayer(name: "simple_rnn_1", spec: RecurrentSpec(units: 2, useBias: false), inputShape: [5, 2])
        #expect(rnn.parameters.count == 2)
    }

    @Test func wrongInputRankIsAModelError() {
        do {
            _ = try LSTMLayer(name: "lstm_1", inputShape: [64], units: 4)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "lstm_1: needs an input of rank 2 (timesteps, features), got [64]")
        }
        #expect(throws: ModelError.self) { try GRULayer(name: "g", inputShape: [2, 3, 4], units: 4) }
        #expect(throws: ModelError.self) { try SimpleRNNLayer(name: "r", inputShape: [0, 3], units: 4) }
    }

    /// Samples do not interact: one sample alone gives the same output as in a batch.
    @Test func samplesAreIndependent() throws {
        let lstm = try LSTMLayer(name: "l", inputShape: [3, 2], units: 3, returnSequences: true)
        #expect(lstm.isSampleIndependent)
        let x = T.random([4, 3, 2], seed: 1)
        let p = parameters(lstm, seed: 9)
        let all = T.forward(lstm, x, p)
        let one = T.forward(lstm, Tensor(unchecked: [1, 3, 2], scalars: Array(x.scalars[6..<12])), p)
        #expect(T.close(one.scalars, Array(all.scalars[9..<18]), tolerance: 1e-15))
    }
}

@Test func lstmUnitForgetBiasStartsTheForgetGateAtOne() throws {
    let layer = try LSTMLayer(name: "lstm_1", inputShape: [3, 2], units: 4)
    let model = try Model(name: "m", inputShape: [3, 2], layers: [layer],
                          loss: LossSpec(kind: .meanSquaredError, fromLogits: false))
    let bias: Tensor<Double> = try #require(model.initialParameters(seed: 1)["lstm_1/bias"])
    #expect(Array(bias.scalars[4..<8]) == [1, 1, 1, 1])
    #expect(bias.scalars[0..<4].allSatisfy { $0 == 0 } && bias.scalars[8..<16].allSatisfy { $0 == 0 })
    let plain = try LSTMLayer(name: "lstm_1", inputShape: [3, 2], units: 4, unitForgetBias: false)
    #expect(plain.parameters[2].initialOnes == nil)
}
