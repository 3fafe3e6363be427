import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing

/// The tape's bookkeeping: accumulation, constants, custom ops, non-recording tapes.

@Test func gradientsAccumulateForAVariableUsedTwice() {
    let tape = Tape<Double>()
    let xv = Tensor<Double>(unchecked: [3], scalars: [0.5, -1, 2])
    let x = tape.variable(xv)
    // x·x: both slots of multiply feed x.
    let sq = tape.sum(tape.multiply(x, x))
    #expect(tape.gradients(of: sq, withRespectTo: [x])[0].scalars == [1, -2, 4])
    // exp(x) + 3x on two separate paths.
    let y = tape.sum(tape.add(tape.apply(.exp, x), tape.scale(x, by: 3)))
    let g = tape.gradients(of: y, withRespectTo: [x])[0]
    #expect(AG.allClose(g, xv.map { Foundation.exp($0) + 3 }, atol: 0, rtol: 1e-15))
    // add(x, x) gives 2 per element; subtract(x, x) gives 0.
    #expect(tape.gradients(of: tape.sum(tape.add(x, x)), withRespectTo: [x])[0].scalars == [2, 2, 2])
    #expect(tape.gradients(of: tape.sum(tape.subtract(x, x)), withRespectTo: [x])[0].scalars == [0, 0, 0])
}

@Test func weightSharedAcrossLayersAccumulates() {
    // y = sum((x·W)·W): ∂W gets both uses.
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [1, 2], scalars: [1, 2]))
    let w = tape.variable(Tensor(unchecked: [2, 2], scalars: [1, 2, 3, 4]))
    let y = tape.sum(tape.matmul(tape.matmul(x, w), w))
    let gw = tape.gradients(of: y, withRespectTo: [w])[0]
    // d/dW sum(x W W) = xᵀ·1ᵀWᵀ + (xW)ᵀ·1ᵀ = [[3, 7], [6, 14]] + [[7, 7], [10, 10]].
    #expect(gw.scalars == [10, 14, 16, 24])
}

@Test func constantsGetNoGradient() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
    let c = tape.constant(Tensor(unchecked: [2], scalars: [3, 5]))
    #expect(tape.needsGradient(x))
    #expect(!tape.needsGradient(c))
    let y = tape.sum(tape.multiply(x, c))
    #expect(tape.needsGradient(y))
    let g = tape.gradients(of: y, withRespectTo: [x, c])
    #expect(g[0].scalars == [3, 5])
    // The output depends on c, but c is a constant: zeros.
    #expect(g[1] == Tensor.zeros([2]))
    // An op on constants only is not differentiable either.
    let cc = tape.multiply(c, c)
    #expect(!tape.needsGradient(cc))
    #expect(tape.gradients(of: tape.sum(cc), withRespectTo: [c])[0] == Tensor.zeros([2]))
}

@Test func matmulSkipsTheConstantSide() {
    let tape = Tape<Double>()
    let x = tape.constant(Tensor(unchecked: [1, 2], scalars: [1, 2]))
    let w = tape.variable(Tensor(unchecked: [2, 1], scalars: [3, 4]))
    let y = tape.sum(tape.matmul(x, w))
    let g = tape.gradients(of: y, withRespectTo: [x, w])
    #expect(g[0] == Tensor.zeros([1, 2]))
    #expect(g[1] == Tensor(unchecked: [2, 1], scalars: [1, 2]))
}

@Test func unrelatedVariablesGetZeros() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
    let unrelated = tape.variable(Tensor(unchecked: [2, 2], scalars: [1, 2, 3, 4]))
    let y = tape.sum(tape.apply(.square, x))
    let later = tape.variable(Tensor(unchecked: [3], scalars: [1, 1, 1]))
    let g = tape.gradients(of: y, withRespectTo: [unrelated, x, later])
    #expect(g[0] == Tensor.zeros([2, 2]))
    #expect(g[1].scalars == [2, 4])
    #expect(g[2] == Tensor.zeros([3]))
}

@Test func gradientsWithRespectToIntermediateValues() {
    // An intermediate result can be asked for too: ∂y/∂h where y = sum(h ⊙ h), h = 2x.
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2], scalars: [1, -3]))
    let h = tape.scale(x, by: 2)
    let y = tape.sum(tape.multiply(h, h))
    let g = tape.gradients(of: y, withRespectTo: [h, x])
    #expect(g[0].scalars == [4, -12])
    #expect(g[1].scalars == [8, -24])
    // And the output itself: its gradient is the seed.
    #expect(tape.gradients(of: y, withRespectTo: [y])[0].scalar == 1)
}

@Test func scalarGradientsUseASeedOfOne() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2, 2], scalars: [1, 2, 3, 4]))
    let y = tape.mean(tape.apply(.square, x))
    let plain = tape.gradients(of: y, withRespectTo: [x])[0]
    let seeded = tape.gradients(of: y, seed: Tensor(scalar: 1), withRespectTo: [x])[0]
    #expect(plain == seeded)
    #expect(plain.scalars == [0.5, 1, 1.5, 2])
    let doubled = tape.gradients(of: y, seed: Tensor(scalar: 2), withRespectTo: [x])[0]
    #expect(doubled.scalars == [1, 2, 3, 4])
    // A one-element output of any shape works without a seed.
    let z = tape.sumPerSample(tape.reshape(x, to: [1, 4]))
    #expect(tape.value(z).shape == [1])
    #expect(tape.gradients(of: z, withRespectTo: [x])[0] == Tensor(repeating: 1, shape: [2, 2]))
}

@Test func backwardPassCanRunTwice() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [3], scalars: [1, 2, 3]))
    let y = tape.sum(tape.apply(.square, tape.apply(.tanh, x)))
    let first = tape.gradients(of: y, withRespectTo: [x])
    let second = tape.gradients(of: y, withRespectTo: [x])
    #expect(first == second)
}

@Test func identityRecordsNothing() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
    let before = tape.count
    let y = tape.apply(.identity, x)
    #expect(y == x)
    #expect(tape.count == before)
}

@Test func customOpVJPIsTheOneUsed() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [3], scalars: [1, 2, 3]))
    // A custom op whose VJP is deliberately not its derivative: 7·g. The tape must use it.
    let y = tape.custom([x], value: tape.value(x).map { $0 * $0 }) { g in [g.map { 7 * $0 }] }
    #expect(tape.value(y).scalars == [1, 4, 9])
    #expect(tape.gradients(of: tape.sum(y), withRespectTo: [x])[0].scalars == [7, 7, 7])
    // Chained with built-in ops on both sides.
    let z = tape.sum(tape.scale(tape.custom([tape.scale(x, by: 2)], value: tape.value(x)) { g in [g.map { -$0 }] }, by: 3))
    #expect(tape.gradients(of: z, withRespectTo: [x])[0].scalars == [-6, -6, -6])
}

@Test func customOpWithTwoInputsAndNilGradient() {
    let tape = Tape<Double>()
    let a = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
    let b = tape.variable(Tensor(unchecked: [2], scalars: [3, 4]))
    let y = tape.custom([a, b], value: Tensor(unchecked: [2], scalars: [3, 8])) { g in [g.zipMap(Tensor(unchecked: [2], scalars: [3, 4]), *), nil] }
    let g = tape.gradients(of: tape.sum(y), withRespectTo: [a, b])
    #expect(g[0].scalars == [3, 4])
    #expect(g[1] == Tensor.zeros([2]))
    // A VJP that returns fewer gradients than inputs leaves the rest at zero.
    let short = tape.custom([a, b], value: Tensor(unchecked: [2], scalars: [0, 0])) { g in [g] }
    let gs = tape.gradients(of: tape.sum(short), withRespectTo: [a, b])
    #expect(gs[0].scalars == [1, 1] && gs[1] == Tensor.zeros([2]))
}

@Test func correctCustomOpPassesTheDifferenceCheck() {
    // cube(x) with VJP 3x²·g, checked like the built-in ops.
    var rng = SeededRNG(seed: 51)
    let x = AG.uniform([2, 3], &rng, -2, 2)
    AG.checkVJP("custom cube", [x]) { t, v in
        let xv = t.value(v[0])
        return t.custom([v[0]], value: xv.map { $0 * $0 * $0 }) { g in [g.zipMap(xv) { $0 * 3 * $1 * $1 }] }
    }
}

/// A reference type whose lifetime shows whether a closure was kept.
private final class Token {}

@Test func nonRecordingTapeKeepsNoPullbacks() {
    weak var kept: Token?
    weak var dropped: Token?
    let recording = Tape<Double>()
    let quiet = Tape<Double>(recording: false)
    do {
        let a = Token(), b = Token()
        kept = a; dropped = b
        let xr = recording.variable(Tensor(unchecked: [2], scalars: [1, 2]))
        _ = recording.custom([xr], value: recording.value(xr)) { g in withExtendedLifetime(a) { [g] } }
        let xq = quiet.variable(Tensor(unchecked: [2], scalars: [1, 2]))
        let yq = quiet.custom([xq], value: quiet.value(xq)) { g in withExtendedLifetime(b) { [g] } }
        #expect(!quiet.isRecording && recording.isRecording)
        #expect(!quiet.needsGradient(xq) && !quiet.needsGradient(yq))
    }
    // The recording tape holds the pullback (and what it captured); the quiet one does not.
    #expect(kept != nil)
    #expect(dropped == nil)
    withExtendedLifetime(recording) {}
    withExtendedLifetime(quiet) {}
}

@Test func nonRecordingTapeGivesTheSameValues() {
    var rng = SeededRNG(seed: 52)
    let x = AG.uniform([3, 4], &rng, -1, 1), w = AG.uniform([4, 5], &rng, -1, 1), b = AG.uniform([5], &rng, -1, 1)
    let labels = AG.labels(3, classes: 5, &rng)
    func model(_ t: Tape<Double>) -> (Variable<Double>, [Variable<Double>]) {
        let vx = t.variable(x), vw = t.variable(w), vb = t.variable(b)
        let h = t.apply(.gelu, t.addBias(t.matmul(vx, vw), vb))
        let l = t.add(t.sparseSoftmaxCrossEntropy(logits: h, labels: labels),
                      t.sumPerSample(t.logSoftmax(t.softmax(h))))
        return (t.mean(l), [vx, vw, vb, h])
    }
    let rec = Tape<Double>(), quiet = Tape<Double>(recording: false)
    let (lr, vr) = model(rec)
    let (lq, vq) = model(quiet)
    #expect(rec.value(lr) == quiet.value(lq))
    #expect(rec.value(vr[3]) == quiet.value(vq[3]))
    #expect(rec.count == quiet.count)
    #expect(vq.allSatisfy { !quiet.needsGradient($0) })
    #expect(vr.allSatisfy { rec.needsGradient($0) })
}
