import Foundation
import GradCheckTensor
import Testing

/// `sum` (pairwise) and `norm` (scaled, overflow- and underflow-safe).

@Test func normOfHugeEntriesDoesNotOverflow() {
    // Naively 1e200² = inf. Scaled: 1e200 · sqrt(1 + 1) exactly as the formula gives it.
    let t = Tensor<Double>(unchecked: [2], scalars: [1e200, -1e200])
    #expect(t.norm() == 1e200 * 2.0.squareRoot())
    // 3-4-5 at 1e200: within a few ulps (3e200 and 4e200 are themselves rounded).
    #expect(abs(Tensor<Double>(unchecked: [2], scalars: [3e200, 4e200]).norm() / 5e200 - 1) < 4 * Double.ulpOfOne)
    // A huge and a tiny entry together: the tiny one is negligible, the result is 1e200.
    #expect(Tensor<Double>(unchecked: [2], scalars: [1e200, 1e-200]).norm() == 1e200)
}

@Test func normOfTinyEntriesDoesNotUnderflow() {
    // Naively 1e-200² = 0, giving norm 0.
    let t = Tensor<Double>(unchecked: [2], scalars: [1e-200, 1e-200])
    #expect(t.norm() == 1e-200 * 2.0.squareRoot())
    #expect(abs(Tensor<Double>(unchecked: [2], scalars: [3e-200, -4e-200]).norm() / 5e-200 - 1) < 4 * Double.ulpOfOne)
    #expect(Tensor<Double>(unchecked: [1], scalars: [1e-200]).norm() == 1e-200)
}

@Test func normOfSubnormalEntries() {
    // Subnormal magnitudes: 1/max would overflow, so the scaling must still work.
    let tiny = Double.leastNonzeroMagnitude * 3
    #expect(Tensor<Double>(unchecked: [1], scalars: [tiny]).norm() == tiny)
    let sub = Double.leastNormalMagnitude / 8
    #expect(Tensor<Double>(unchecked: [2], scalars: [sub, 0]).norm() == sub)
    // Float subnormal 2^-128: √2·2^-128 with subnormal precision (about 21 bits).
    let tinyF = Float.leastNormalMagnitude / 4
    let normF = Tensor<Float>(unchecked: [2], scalars: [tinyF, -tinyF]).norm()
    #expect(abs(Double(normF) / (Double(tinyF) * 2.0.squareRoot()) - 1) < 1e-5)
}

@Test func normInFloatAvoidsOverflowToo() {
    // 1e30² overflows Float.
    #expect(abs(Tensor<Float>(unchecked: [2], scalars: [3e30, 4e30]).norm() / 5e30 - 1) < 4 * Float.ulpOfOne)
    #expect(abs(Tensor<Float>(unchecked: [2], scalars: [3e-30, 4e-30]).norm() / 5e-30 - 1) < 4 * Float.ulpOfOne)
    #expect(Tensor<Float>(unchecked: [2], scalars: [1e30, 1e30]).norm() == 1e30 * Float(2).squareRoot())
}

@Test func normNonFiniteAndEmpty() {
    #expect(Tensor<Double>(unchecked: [3], scalars: [1, .nan, 2]).norm().isNaN)
    #expect(Tensor<Double>(unchecked: [3], scalars: [1, -.infinity, 2]).norm() == .infinity)
    #expect(Tensor<Double>.zeros([0]).norm() == 0)
    #expect(Tensor<Double>.zeros([4]).norm() == 0)
}

@Test func normMatchesNaiveForOrdinaryValues() {
    let t = TT.randomTensor([1000], seed: 5)
    let naive = t.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(abs(t.norm() - naive) <= 1e-14 * naive)
}

@Test func pairwiseSumOfAMillionTenths() {
    // 10^6 copies of 0.1: the exact sum of the Double 0.1's, rounded once, is 1e6 · 0.1.
    let n = 1_000_000
    let t = Tensor<Double>(repeating: 0.1, shape: [n])
    let exact = Double(n) * 0.1
    let rel = abs(t.sum() - exact) / exact
    #expect(rel < 1e-9)
    // Pairwise error is ~log2(n/128)·u ≈ 1.5e-15; a naive running sum gives ≈ 1.3e-11.
    #expect(rel < 1e-13)
}

@Test func pairwiseSumInFloat() {
    // Naive Float summation of 10^6 × 0.1f ends near 100958 (1% off); pairwise stays within 1e-6.
    let n = 1_000_000
    let t = Tensor<Float>(repeating: 0.1, shape: [n])
    let exact = Double(n) * Double(Float(0.1))
    #expect(abs(Double(t.sum()) - exact) / exact < 1e-5)
    let buffer = t.scalars
    let direct = buffer.withUnsafeBufferPointer { _pairwiseSum($0) }
    #expect(direct == t.sum())
}

@Test(arguments: [0, 1, 2, 127, 128, 129, 255, 256, 1000, 4097])
func sumMatchesExactIntegerSums(count: Int) {
    // Integers sum exactly in Double at these sizes, so every block split must agree exactly.
    let t = Tensor<Double>(unchecked: [count], scalars: (0..<count).map { Double($0 % 17) - 8 })
    let exact = (0..<count).reduce(0) { $0 + ($1 % 17) - 8 }
    #expect(t.sum() == Double(exact))
}
