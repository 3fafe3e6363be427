import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing

/// Softmax and log-softmax values: exact where they can be, and stable for huge logits.

private func softmaxValues(_ x: Tensor<Double>) -> (softmax: Tensor<Double>, logSoftmax: Tensor<Double>) {
    let tape = Tape<Double>(recording: false)
    let v = tape.constant(x)
    return (tape.value(tape.softmax(v)), tape.value(tape.logSoftmax(v)))
}

@Test func softmaxIsStableForHugeLogits() {
    let x = Tensor<Double>(unchecked: [3, 3], scalars: [1000, -1000, 0, 1000, 1000, 1000, -1000, -1000, -999])
    let (s, l) = softmaxValues(x)
    #expect(s.isFinite && l.isFinite)
    #expect(Array(s.scalars[0..<3]) == [1, 0, 0])
    #expect(Array(l.scalars[0..<3]) == [0, -2000, -1000])
    for j in 3..<6 {
        #expect(AG.close(s.scalars[j], 1.0 / 3, atol: 0, rtol: 1e-15))
        // x − logsumexp(x) is backward stable: the error is a few ulps of |x| = 1000.
        #expect(AG.close(l.scalars[j], -Foundation.log(3.0), atol: 4 * 1000.0.ulp, rtol: 0))
    }
    // Row [-1000, -1000, -999]: softmax of [0, 0, 1].
    let e = M_E, denom = 2 + e
    #expect(AG.close(s.scalars[6], 1 / denom, atol: 0, rtol: 1e-14))
    #expect(AG.close(s.scalars[8], e / denom, atol: 0, rtol: 1e-14))
    #expect(AG.close(l.scalars[8], 1 - Foundation.log(denom), atol: 4 * 1000.0.ulp, rtol: 0))
}

@Test func softmaxGradientsAreFiniteForHugeLogits() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2, 3], scalars: [1000, -1000, 0, 1000, 1000, -1000]))
    let y = tape.add(tape.softmax(x), tape.logSoftmax(x))
    let g = tape.gradients(of: y, seed: Tensor(unchecked: [2, 3], scalars: [1, 2, 3, -1, 0.5, 2]), withRespectTo: [x])[0]
    #expect(g.isFinite)
    // Saturated row [1, 0, 0]: the softmax part vanishes; logSoftmax gives g − softmax·Σg.
    #expect(g.scalars[0] == 1 - 6 && g.scalars[1] == 2 && g.scalars[2] == 3)
}

@Test func softmaxRowsSumToOneAndMatchExpOfLogSoftmax() {
    var rng = SeededRNG(seed: 31)
    let x = AG.uniform([2, 3, 7], &rng, -20, 20)
    let (s, l) = softmaxValues(x)
    #expect(s.shape == [2, 3, 7] && l.shape == [2, 3, 7])
    for r in 0..<6 {
        let row = s.scalars[(r * 7)..<(r * 7 + 7)]
        #expect(abs(row.reduce(0, +) - 1) < 1e-15 * 8)
        #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
    #expect(AG.allClose(s, l.map { Foundation.exp($0) }, atol: 1e-16, rtol: 1e-14))
    // Closed form on one row.
    let row = Array(x.scalars[0..<7])
    let z = row.map { Foundation.exp($0) }.reduce(0, +)
    for j in 0..<7 { #expect(AG.close(s.scalars[j], Foundation.exp(row[j]) / z, atol: 1e-300, rtol: 1e-13)) }
}

@Test func softmaxIsShiftInvariant() {
    var rng = SeededRNG(seed: 32)
    let x = AG.uniform([4, 5], &rng, -3, 3)
    let shifted = x.map { $0 + 700 }
    let (s1, l1) = softmaxValues(x)
    let (s2, l2) = softmaxValues(shifted)
    #expect(AG.allClose(s1, s2, atol: 1e-15, rtol: 1e-12))
    #expect(AG.allClose(l1, l2, atol: 1e-12, rtol: 1e-12))
}

@Test func logSumExpRowsEdgeCases() {
    let x = Tensor<Double>(unchecked: [4, 2], scalars: [-.infinity, -.infinity, .infinity, 0, .nan, 1, 1000, 1000])
    let lse = Tape<Double>.logSumExpRows(x)
    #expect(lse[0] == -.infinity)
    #expect(lse[1] == .infinity)
    #expect(lse[2].isNaN)
    #expect(AG.close(lse[3], 1000 + Foundation.log(2.0), atol: 0, rtol: 1e-16))
}

@Test func softmaxInFloatForHugeLogits() {
    let tape = Tape<Float>(recording: false)
    let x = tape.constant(Tensor(unchecked: [1, 3], scalars: [1000, -1000, 0]))
    #expect(tape.value(tape.softmax(x)).scalars == [1, 0, 0])
    #expect(tape.value(tape.logSoftmax(x)).scalars == [0, -2000, -1000])
}
