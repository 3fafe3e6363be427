import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing

/// Per-sample loss values against closed forms, and their averaging over positions.

private func lossValue(_ p: Tensor<Double>, _ loss: (Tape<Double>, Variable<Double>) -> Variable<Double>) -> Tensor<Double> {
    let tape = Tape<Double>(recording: false)
    return tape.value(loss(tape, tape.constant(p)))
}

/// −log softmax(z)_c, written out with the max subtracted.
private func negLogSoftmax(_ row: [Double], _ c: Int) -> Double {
    let m = row.max()!
    return -(row[c] - m - Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +)))
}

@Test func sparseAndCategoricalCrossEntropyFromLogitsAreNegLogSoftmax() {
    var rng = SeededRNG(seed: 41)
    let z = AG.uniform([5, 4], &rng, -3, 3)
    let labels = AG.labels(5, classes: 4, &rng)
    let sparse = lossValue(z) { t, v in t.sparseSoftmaxCrossEntropy(logits: v, labels: labels) }
    let dense = lossValue(z) { t, v in t.softmaxCrossEntropy(logits: v, AG.oneHot(labels, classes: 4, shape: [5, 4])) }
    let viaOp = lossValue(z) { t, v in t.logSoftmax(v) }
    #expect(sparse.shape == [5] && dense.shape == [5])
    for r in 0..<5 {
        let row = Array(z.scalars[(r * 4)..<(r * 4 + 4)])
        let expected = negLogSoftmax(row, labels[r])
        #expect(AG.close(sparse.scalars[r], expected, atol: 1e-15, rtol: 1e-14))
        #expect(AG.close(dense.scalars[r], expected, atol: 1e-15, rtol: 1e-14))
        #expect(AG.close(sparse.scalars[r], -viaOp.scalars[r * 4 + labels[r]], atol: 1e-15, rtol: 1e-14))
    }
}

@Test func crossEntropyFromHugeLogitsIsFinite() {
    let z = Tensor<Double>(unchecked: [2, 2], scalars: [1000, -1000, -1000, 1000])
    let sparse = lossValue(z) { t, v in t.sparseSoftmaxCrossEntropy(logits: v, labels: [1, 1]) }
    #expect(sparse.scalars == [2000, 0])
    let dense = lossValue(z) { t, v in t.softmaxCrossEntropy(logits: v, Tensor(unchecked: [2, 2], scalars: [0, 1, 0.5, 0.5])) }
    #expect(dense.scalars == [2000, 1000])
    let sig = lossValue(Tensor(unchecked: [1, 2], scalars: [1000, -1000])) { t, v in
        t.sigmoidCrossEntropy(logits: v, Tensor(unchecked: [1, 2], scalars: [0, 0]))
    }
    // softplus(1000) and softplus(−1000), averaged: (1000 + 0) / 2.
    #expect(sig.scalars == [500])
}

@Test func softCrossEntropyIsTargetWeightedNegLogSoftmax() {
    var rng = SeededRNG(seed: 42)
    let z = AG.uniform([3, 5], &rng, -3, 3)
    let t = AG.distribution([3, 5], &rng, mass: 0.8)
    let loss = lossValue(z) { tape, v in tape.softmaxCrossEntropy(logits: v, t) }
    for r in 0..<3 {
        let row = Array(z.scalars[(r * 5)..<(r * 5 + 5)])
        let expected = (0..<5).reduce(0.0) { $0 + t.scalars[r * 5 + $1] * negLogSoftmax(row, $1) }
        #expect(AG.close(loss.scalars[r], expected, atol: 1e-15, rtol: 1e-14))
    }
}

@Test func crossEntropyOnProbabilitiesIsNegLog() {
    let p = Tensor<Double>(unchecked: [2, 3], scalars: [0.2, 0.3, 0.5, 0.6, 0.4, 0])
    let sparse = lossValue(p) { t, v in t.sparseCategoricalCrossEntropy(probabilities: v, labels: [2, 0]) }
    #expect(sparse.scalars == [-Foundation.log(0.5), -Foundation.log(0.6)])
    let targets = Tensor<Double>(unchecked: [2, 3], scalars: [0.5, 0, 0.5, 0, 1, 0])
    let dense = lossValue(p) { t, v in t.categoricalCrossEntropy(probabilities: v, targets) }
    #expect(AG.close(dense.scalars[0], -0.5 * Foundation.log(0.2) - 0.5 * Foundation.log(0.5), atol: 0, rtol: 1e-15))
    // The zero probability has target 0, so it does not contribute (0·log 0 = 0).
    #expect(dense.scalars[1] == -Foundation.log(0.4))
    // A zero probability on the true class costs infinity, exactly.
    let inf = lossValue(p) { t, v in t.sparseCategoricalCrossEntropy(probabilities: v, labels: [0, 2]) }
    #expect(inf.scalars[1] == .infinity)
}

@Test func categoricalOnSoftmaxEqualsSoftmaxCrossEntropy() {
    var rng = SeededRNG(seed: 43)
    let z = AG.uniform([2, 3, 4], &rng, -2, 2)
    let t = AG.distribution([2, 3, 4], &rng)
    let fromLogits = lossValue(z) { tape, v in tape.softmaxCrossEntropy(logits: v, t) }
    let fromProbabilities = lossValue(z) { tape, v in tape.categoricalCrossEntropy(probabilities: tape.softmax(v), t) }
    #expect(AG.allClose(fromLogits, fromProbabilities, atol: 1e-14, rtol: 1e-13))
}

@Test func sigmoidCrossEntropyIsSoftplusMinusZT() {
    var rng = SeededRNG(seed: 44)
    let z = AG.uniform([3, 4], &rng, -30, 30)
    let t = AG.uniform([3, 4], &rng, 0, 1)
    let loss = lossValue(z) { tape, v in tape.sigmoidCrossEntropy(logits: v, t) }
    for b in 0..<3 {
        var s = 0.0
        for j in 0..<4 {
            let zi = z.scalars[b * 4 + j], ti = t.scalars[b * 4 + j]
            // softplus(z) = log(1 + e^z), written independently of UnaryFunction.
            let softplus = zi > 0 ? zi + Foundation.log1p(Foundation.exp(-zi)) : Foundation.log1p(Foundation.exp(zi))
            s += softplus - zi * ti
            #expect(AG.close(UnaryFunction.softplus.value(zi), softplus, atol: 1e-15, rtol: 1e-15))
        }
        #expect(AG.close(loss.scalars[b], s / 4, atol: 1e-14, rtol: 1e-14))
    }
}

@Test func binaryCrossEntropyOnProbabilities() {
    let p = Tensor<Double>(unchecked: [1, 4], scalars: [0.9, 0.2, 0.5, 0.7])
    let t = Tensor<Double>(unchecked: [1, 4], scalars: [1, 0, 0.5, 0.25])
    let loss = lossValue(p) { tape, v in tape.binaryCrossEntropy(probabilities: v, t) }
    let terms = zip(p.scalars, t.scalars).map { p, t in -t * Foundation.log(p) - (1 - t) * Foundation.log(1 - p) }
    #expect(AG.close(loss.scalars[0], terms.reduce(0, +) / 4, atol: 0, rtol: 1e-15))
    // Exact at the ends: confident and right costs 0; confident and wrong costs infinity.
    let ends = Tensor<Double>(unchecked: [3, 1], scalars: [1, 0, 0])
    let endTargets = Tensor<Double>(unchecked: [3, 1], scalars: [1, 0, 1])
    let endLoss = lossValue(ends) { tape, v in tape.binaryCrossEntropy(probabilities: v, endTargets) }
    #expect(endLoss.scalars == [0, 0, .infinity])
    // BCE of sigmoid(z) equals sigmoid cross-entropy of z.
    var rng = SeededRNG(seed: 45)
    let z = AG.uniform([2, 5], &rng, -4, 4)
    let tt = AG.uniform([2, 5], &rng, 0, 1)
    let a = lossValue(z) { tape, v in tape.binaryCrossEntropy(probabilities: tape.apply(.sigmoid, v), tt) }
    let b = lossValue(z) { tape, v in tape.sigmoidCrossEntropy(logits: v, tt) }
    #expect(AG.allClose(a, b, atol: 1e-14, rtol: 1e-13))
}

@Test func regressionLossesClosedForm() {
    let p = Tensor<Double>(unchecked: [2, 3], scalars: [1, 2, 3, 0, 0, 5])
    let t = Tensor<Double>(unchecked: [2, 3], scalars: [1, 0, 4, 0.5, -2, 1])
    let close = { (a: Tensor<Double>, b: [Double]) in AG.allClose(a, Tensor(unchecked: [2], scalars: b), atol: 0, rtol: 4e-16) }
    #expect(close(lossValue(p) { tape, v in tape.meanSquaredError(v, t) }, [(0 + 4 + 1) / 3.0, (0.25 + 4 + 16) / 3.0]))
    #expect(close(lossValue(p) { tape, v in tape.meanAbsoluteError(v, t) }, [(0 + 2 + 1) / 3.0, (0.5 + 2 + 4) / 3.0]))
    // Huber, δ = 1: residuals 0, 2, 1 → 0, 2 − 0.5, 0.5; 0.5, 2, 4 → 0.125, 1.5, 3.5.
    let huber = lossValue(p) { tape, v in tape.huber(v, t, delta: 1) }
    #expect(close(huber, [(0 + 1.5 + 0.5) / 3, (0.125 + 1.5 + 3.5) / 3]))
    // Huber is continuous at δ and quadratic/linear on each side.
    let d = 0.7
    let at = lossValue(Tensor(unchecked: [3, 1], scalars: [d, d + 1e-9, -3])) { tape, v in
        tape.huber(v, Tensor.zeros([3, 1]), delta: d)
    }
    #expect(at.scalars[0] == d * d / 2)
    #expect(abs(at.scalars[1] - d * d / 2) < 1e-9)
    #expect(at.scalars[2] == d * 3 - d * d / 2)
}

@Test func lossesOnSequencesAverageOverPositions() {
    // A [B, T, C] prediction gives, per sample, the mean over its T positions of the loss
    // of each [C] row: the same as the loss of the [B·T, C] reshape averaged in groups of T.
    let (b, tSteps, c) = (2, 3, 4)
    var rng = SeededRNG(seed: 46)
    let labels = AG.labels(b * tSteps, classes: c, &rng)
    let reg = AG.uniform([b, tSteps, c], &rng, -1, 1)
    let probabilityTargets = AG.distribution([b, tSteps, c], &rng)
    let binaryTargets = AG.uniform([b, tSteps, c], &rng, 0, 1)
    let logits = AG.uniform([b, tSteps, c], &rng, -2, 2)
    let probs = AG.uniform([b, tSteps, c], &rng, 0.05, 0.95)
    let cases: [(String, Tensor<Double>, (Tape<Double>, Variable<Double>, Bool) -> Variable<Double>)] = [
        ("mse", logits, { t, v, flat in t.meanSquaredError(v, flat ? reg.reshaped(unchecked: [b * tSteps, c]) : reg) }),
        ("mae", logits, { t, v, flat in t.meanAbsoluteError(v, flat ? reg.reshaped(unchecked: [b * tSteps, c]) : reg) }),
        ("huber", logits, { t, v, flat in t.huber(v, flat ? reg.reshaped(unchecked: [b * tSteps, c]) : reg, delta: 0.5) }),
        ("sigmoidCE", logits, { t, v, flat in
            t.sigmoidCrossEntropy(logits: v, flat ? binaryTargets.reshaped(unchecked: [b * tSteps, c]) : binaryTargets) }),
        ("bce", probs, { t, v, flat in
            t.binaryCrossEntropy(probabilities: v, flat ? binaryTargets.reshaped(unchecked: [b * tSteps, c]) : binaryTargets) }),
        ("softmaxCE", logits, { t, v, flat in
            t.softmaxCrossEntropy(logits: v, flat ? probabilityTargets.reshaped(unchecked: [b * tSteps, c]) : probabilityTargets) }),
        ("sparseSoftmaxCE", logits, { t, v, _ in t.sparseSoftmaxCrossEntropy(logits: v, labels: labels) }),
        ("categoricalCE", probs, { t, v, flat in
            t.categoricalCrossEntropy(probabilities: v, flat ? probabilityTargets.reshaped(unchecked: [b * tSteps, c]) : probabilityTargets) }),
        ("sparseCategoricalCE", probs, { t, v, _ in t.sparseCategoricalCrossEntropy(probabilities: v, labels: labels) }),
    ]
    for (name, x, loss) in cases {
        let seq = lossValue(x) { t, v in loss(t, v, false) }
        let rows = lossValue(x.reshaped(unchecked: [b * tSteps, c])) { t, v in loss(t, v, true) }
        #expect(seq.shape == [b], "\(name)")
        #expect(rows.shape == [b * tSteps], "\(name)")
        for s in 0..<b {
            let expected = rows.scalars[(s * tSteps)..<((s + 1) * tSteps)].reduce(0, +) / Double(tSteps)
            #expect(AG.close(seq.scalars[s], expected, atol: 1e-15, rtol: 1e-14), "\(name) sample \(s): \(seq.scalars[s]) vs \(expected)")
        }
        // And the gradient of the mean loss spreads over positions the same way: the
        // sequence loss's gradient is the row loss's gradient divided by T.
        let gSeq = gradient(of: x) { t, v in t.sum(loss(t, v, false)) }
        let gRows = gradient(of: x.reshaped(unchecked: [b * tSteps, c])) { t, v in t.sum(loss(t, v, true)) }
        #expect(AG.allClose(gSeq.reshaped(unchecked: [b * tSteps, c]), gRows.map { $0 / Double(tSteps) }, atol: 1e-15, rtol: 1e-13), "\(name) gradient")
    }
}

private func gradient(of x: Tensor<Double>, _ f: (Tape<Double>, Variable<Double>) -> Variable<Double>) -> Tensor<Double> {
    let tape = Tape<Double>()
    let v = tape.variable(x)
    return tape.gradients(of: f(tape, v), withRespectTo: [v])[0]
}

@Test func probabilityLossesHaveFiniteGradientsAtConfidentCorrectPredictions() {
    // p = 0 against t = 0 and p = 1 against t = 1 cost nothing, and the 0·log 0 terms
    // must not turn into 0/0 in the gradient: ∂/∂p of −(1−t)·log(1−p) is (1−t)/(1−p).
    let tape = Tape<Double>()
    let p = tape.variable(Tensor(unchecked: [2, 1], scalars: [0, 1]))
    let bce = tape.binaryCrossEntropy(probabilities: p, Tensor(unchecked: [2, 1], scalars: [0, 1]))
    #expect(tape.value(bce).scalars == [0, 0])
    #expect(tape.gradients(of: tape.sum(bce), withRespectTo: [p])[0].scalars == [1, -1])
    // Categorical: a zero probability on a class with target 0 gets gradient 0, not NaN.
    let q = tape.variable(Tensor(unchecked: [1, 3], scalars: [0, 0.25, 0.75]))
    let cce = tape.categoricalCrossEntropy(probabilities: q, Tensor(unchecked: [1, 3], scalars: [0, 0, 1]))
    #expect(tape.value(cce).scalars == [-Foundation.log(0.75)])
    #expect(tape.gradients(of: tape.sum(cce), withRespectTo: [q])[0].scalars == [0, 0, -1 / 0.75])
    let scce = tape.sparseCategoricalCrossEntropy(probabilities: q, labels: [2])
    #expect(tape.gradients(of: tape.sum(scce), withRespectTo: [q])[0].scalars == [0, 0, -1 / 0.75])
}
