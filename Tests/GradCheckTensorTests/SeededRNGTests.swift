import GradCheckTensor
import Testing

/// SplitMix64 golden values and the statistics of the derived draws.
///
/// The statistical tests draw from fixed seeds, so they are deterministic; the bounds are
/// 5 standard errors so that a correct generator passes for essentially any seed while a
/// biased transform (a missing square root, a wrong scale) fails by far more.

@Test func dropoutStreamGoldenValues() {
    // The dropout mask contract shared with the PyTorch reference script.
    var rng = SeededRNG(seed: 0, stream: 1)
    #expect(rng.next() == 0x2d0f_28c7_e7e7_86b2)
    #expect(rng.next() == 0x7585_6f74_5165_f252)
    #expect(rng.next() == 0x8674_bbc2_7359_55af)
}

@Test func splitMix64ReferenceValueForSeedZero() {
    // The first output of SplitMix64 from state 0 (as in java.util.SplittableRandom).
    var rng = SeededRNG(seed: 0)
    #expect(rng.next() == 0xe220_a839_7b1d_cdaf)
    // Stream 0 is the plain seed.
    var s0 = SeededRNG(seed: 0, stream: 0)
    #expect(s0.next() == 0xe220_a839_7b1d_cdaf)
}

@Test func streamStartsFromSeedXorStreamTimesConstant() {
    var a = SeededRNG(seed: 42, stream: 7)
    var b = SeededRNG(seed: 42 ^ (7 &* 0xD1B5_4A32_D192_ED03))
    for _ in 0..<5 { #expect(a.next() == b.next()) }
}

@Test func uniformIsTopFiftyThreeBitsOfNext() {
    var a = SeededRNG(seed: 9, stream: 3)
    var b = a
    for _ in 0..<100 {
        let u = a.uniform()
        #expect(u == Double(b.next() >> 11) * 0x1p-53)
    }
}

@Test(arguments: [0 as UInt64, 1, 12345, .max])
func uniformIsInUnitIntervalWithMeanOneHalf(seed: UInt64) {
    var rng = SeededRNG(seed: seed)
    let n = 100_000
    var sum = 0.0, lo = 1.0, hi = 0.0
    for _ in 0..<n {
        let u = rng.uniform()
        #expect(u >= 0 && u < 1)
        sum += u; lo = min(lo, u); hi = max(hi, u)
    }
    // Var(U) = 1/12, so the standard error of the mean is sqrt(1/(12n)) ≈ 9.1e-4; 5σ ≈ 4.6e-3.
    #expect(abs(sum / Double(n) - 0.5) < 5 * (1 / (12 * Double(n))).squareRoot())
    // 100k draws leave no gap near either end wider than ~1e-3 (probability ≈ e^-100).
    #expect(lo < 1e-3 && hi > 1 - 1e-3)
}

@Test func uniformRangeStaysInRange() {
    var rng = SeededRNG(seed: 5)
    for _ in 0..<10_000 {
        let x = rng.uniform(-3, 2)
        #expect(x >= -3 && x < 2)
    }
}

@Test(arguments: [0 as UInt64, 7, 2024])
func normalHasMeanZeroAndUnitVariance(seed: UInt64) {
    var rng = SeededRNG(seed: seed, stream: 2)
    let n = 100_000
    var xs = [Double]()
    xs.reserveCapacity(n)
    for _ in 0..<n { xs.append(rng.normal()) }
    #expect(xs.allSatisfy { $0.isFinite })
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    // Standard error of the mean: 1/sqrt(n) ≈ 3.2e-3, bound 5σ ≈ 0.016.
    #expect(abs(mean) < 5 / Double(n).squareRoot())
    // Standard error of the sample variance of a normal: sqrt(2/(n-1)) ≈ 4.5e-3, bound 5σ ≈ 0.022.
    #expect(abs(variance - 1) < 5 * (2 / Double(n - 1)).squareRoot())
    // Symmetry and tails: P(|x| > 1.96) = 0.05, binomial SE sqrt(0.05·0.95/n) ≈ 6.9e-4; 5σ.
    let tail = Double(xs.filter { abs($0) > 1.959963984540054 }.count) / Double(n)
    #expect(abs(tail - 0.05) < 5 * (0.05 * 0.95 / Double(n)).squareRoot())
}

@Test func truncatedNormalStaysWithinTwoSigma() {
    var rng = SeededRNG(seed: 11)
    var sawBeyondOne = false
    for _ in 0..<20_000 {
        let x = rng.truncatedNormal()
        #expect(abs(x) <= 2)
        if abs(x) > 1.5 { sawBeyondOne = true }
    }
    #expect(sawBeyondOne)
}

@Test(arguments: [1, 2, 3, 7, 10, 1000, Int(Int32.max)])
func indexBelowIsInRange(bound: Int) {
    var rng = SeededRNG(seed: 17, stream: UInt64(bound))
    for _ in 0..<5_000 {
        let i = rng.index(below: bound)
        #expect(i >= 0 && i < bound)
    }
}

@Test func indexBelowHitsEveryValueEvenly() {
    var rng = SeededRNG(seed: 23)
    var counts = [Int](repeating: 0, count: 10)
    let n = 100_000
    for _ in 0..<n { counts[rng.index(below: 10)] += 1 }
    // Each count is Binomial(n, 0.1): SE sqrt(n·0.1·0.9) ≈ 95; bound 5σ.
    let se = (Double(n) * 0.1 * 0.9).squareRoot()
    for c in counts { #expect(abs(Double(c) - Double(n) / 10) < 5 * se) }
}

@Test func sameSeedGivesSameSequenceAndCopiesAreIndependent() {
    var a = SeededRNG(seed: 99, stream: 4)
    var b = SeededRNG(seed: 99, stream: 4)
    let xs = (0..<50).map { _ in a.next() }
    let ys = (0..<50).map { _ in b.next() }
    #expect(xs == ys)
    // A copy continues from the same state without advancing the original.
    var c = a
    let fromCopy = c.next()
    #expect(a.next() == fromCopy)
    // Different seeds and different streams give different sequences.
    var d = SeededRNG(seed: 100, stream: 4)
    var e = SeededRNG(seed: 99, stream: 5)
    #expect((0..<50).map { _ in d.next() } != xs)
    #expect((0..<50).map { _ in e.next() } != xs)
}

@Test func namedStreamsDependOnTheNameOnly() {
    func firstDraws(_ seed: UInt64, _ name: String) -> [UInt64] {
        var r = SeededRNG(seed: seed, name: name)
        return (0..<4).map { _ in r.next() }
    }
    let names = ["dense_1.kernel", "dense_1.bias", "dense_2.kernel", "dense_2.bias", "", "a", "b"]
    let draws = names.map { firstDraws(3, $0) }
    #expect(Set(draws).count == names.count, "every name gives its own stream")
    #expect(firstDraws(3, "dense_1.kernel") == draws[0], "the same name gives the same stream")
    #expect(firstDraws(4, "dense_1.kernel") != draws[0], "the seed matters too")
}

@Test func namedStreamHashesTheNameWithFNV1a() {
    // FNV-1a of the empty string is the offset basis; of "a" it is 0xaf63dc4c8601ec8c.
    var empty = SeededRNG(seed: 1, name: "")
    var basis = SeededRNG(seed: 1, stream: 0xCBF2_9CE4_8422_2325)
    #expect(empty.next() == basis.next())
    var a = SeededRNG(seed: 1, name: "a")
    var aHash = SeededRNG(seed: 1, stream: 0xAF63_DC4C_8601_EC8C)
    #expect(a.next() == aHash.next())
}
