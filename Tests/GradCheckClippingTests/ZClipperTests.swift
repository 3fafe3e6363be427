import GradCheckClipping
import GradCheckTensor
import Testing

/// ZClip over a sequence: warm-up statistics, z-score detection, clipping to μ + z·σ,
/// EMA updates with the clipped norm.
@Suite struct ZClipperTests {
    static func gradient(norm n: Double) -> [Tensor<Double>] {
        [Tensor(unchecked: [2], scalars: [0.6 * n, 0.8 * n])]
    }

    @Test func warmupThenDetectsAndClipsSpikes() throws {
        var clipper = ZClipper(zThreshold: 2.5, alpha: 0.9, warmupSteps: 3)
        for n in [1.0, 1.2, 0.8] {
            var g = Self.gradient(norm: n)
            let t = try clipper.clip(&g, parameters: [])
            #expect(!t.triggered)
        }
        #expect(clipper.isWarmedUp)
        var mean = 1.0
        var variance = (0.0 + 0.04 + 0.04) / 3
        #expect(abs(clipper.mean - mean) <= 1e-12 && abs(clipper.variance - variance) <= 1e-12)

        // An ordinary step: no clip; the EMA takes the raw norm (variance with the new mean).
        var g = Self.gradient(norm: 1.1)
        var t = try clipper.clip(&g, parameters: [])
        #expect(!t.triggered)
        mean = 0.9 * mean + 0.1 * 1.1
        variance = 0.9 * variance + 0.1 * (1.1 - mean) * (1.1 - mean)
        #expect(abs(clipper.mean - mean) <= 1e-12 && abs(clipper.variance - variance) <= 1e-12)

        // A spike: clipped to μ + 2.5σ, and the EMA takes the clipped norm.
        let sigma = variance.squareRoot()
        let z = (5 - mean) / (sigma + 1e-6)
        let target = mean + 2.5 * sigma
        g = Self.gradient(norm: 5)
        t = try clipper.clip(&g, parameters: [])
        #expect(t.triggered)
        #expect(abs((clipper.lastZScore ?? .nan) - z) <= 1e-9)
        #expect(abs(t.normAfter - target) <= 1e-12)
        #expect(abs(t.cosineToRaw - 1) <= 1e-12)
        mean = 0.9 * mean + 0.1 * target
        variance = 0.9 * variance + 0.1 * (target - mean) * (target - mean)
        #expect(abs(clipper.mean - mean) <= 1e-12 && abs(clipper.variance - variance) <= 1e-12)

        // A downward spike is never clipped.
        g = Self.gradient(norm: 0.01)
        t = try clipper.clip(&g, parameters: [])
        #expect(!t.triggered && (clipper.lastZScore ?? 0) < -2.5)
    }

    @Test func reciprocalStrategy() throws {
        var clipper = ZClipper(zThreshold: 2, alpha: 0.97, warmupSteps: 2, strategy: .reciprocal)
        for n in [1.0, 3.0] {
            var g = Self.gradient(norm: n)
            _ = try clipper.clip(&g, parameters: [])
        }
        // μ = 2, σ = 1; a norm of 10 has z ≈ 8: target μ + (4/8)σ ≈ 2.5.
        var g = Self.gradient(norm: 10)
        let t = try clipper.clip(&g, parameters: [])
        let z = 8 / (1 + 1e-6)
        #expect(abs(t.normAfter - (2 + 4 / z)) <= 1e-12)
    }

    @Test func constantNormsThenAnyRiseIsClippedToTheMean() throws {
        var clipper = ZClipper(warmupSteps: 5)
        for _ in 0..<5 {
            var g = Self.gradient(norm: 2)
            _ = try clipper.clip(&g, parameters: [])
        }
        #expect(clipper.variance == 0)
        var g = Self.gradient(norm: 2.001)
        let t = try clipper.clip(&g, parameters: [])
        #expect(t.triggered && abs(t.normAfter - 2) <= 1e-12)
    }

    @Test func noWarmupInitialisesOnTheFirstStep() throws {
        var clipper = ZClipper(warmupSteps: 0)
        var g = Self.gradient(norm: 100)
        #expect(!(try clipper.clip(&g, parameters: [])).triggered)
        #expect(clipper.isWarmedUp && clipper.mean == 100 && clipper.variance == 0)
    }

    @Test func defaultsAreThePaper() {
        let z = ZClipper()
        #expect(z.zThreshold == 2.5 && z.alpha == 0.97 && z.warmupSteps == 25 && z.description == "zclip")
    }
}
