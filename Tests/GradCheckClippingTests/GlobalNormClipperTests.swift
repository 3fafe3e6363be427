import GradCheckClipping
import GradCheckTensor
import Testing

/// Property tests of `global_norm`: bounded norm, kept direction, identity below c.
@Suite struct GlobalNormClipperTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func normAfterIsBoundedAndDirectionKept(seed: UInt64) throws {
        let raw = CT.randomSet([[7, 5], [5], [3, 3, 2]], seed: seed, scale: 2, as: Double.self)
        let before = CT.norm(CT.flat(raw))
        for c in [0.1, 1, before / 2, before * 0.999] {
            var clipper = GlobalNormClipper(maxNorm: c)
            let (out, t) = try CT.clipped(&clipper, raw)
            let after = CT.norm(CT.flat(out))
            #expect(after <= c * (1 + 1e-12), "c=\(c): \(after)")
            #expect(abs(after - c) <= 1e-12 * c)
            #expect(abs(CT.cosine(CT.flat(raw), CT.flat(out)) - 1) <= 1e-12)
            #expect(t.triggered)
            #expect(abs(t.cosineToRaw - 1) <= 1e-12)
            #expect(abs(t.normBefore - before) <= 1e-13 * before)
            #expect(abs(t.normAfter - after) <= 1e-13 * after)
            #expect(t.action == nil)
        }
    }

    @Test func identityAtAndBelowThreshold() throws {
        let raw = CT.randomSet([[4, 3], [3]], seed: 9, as: Double.self)
        let n = CT.norm(CT.flat(raw))
        for c in [n * 1.0001, n * 10, .infinity] {
            var clipper = GlobalNormClipper(maxNorm: c)
            let (out, t) = try CT.clipped(&clipper, raw)
            #expect(CT.sameBits(out, raw))
            #expect(t == .unchanged(norm: t.normBefore))
        }
        // Exactly at the threshold: 3-4-5.
        var atFive = GlobalNormClipper(maxNorm: 5)
        let (out, t) = try CT.clipped(&atFive, CT.vectors([[3, 4]], as: Float.self))
        #expect(out[0].scalars == [3, 4])
        #expect(!t.triggered && t.normBefore == 5 && t.cosineToRaw == 1 && t.clippedFraction == 0)
    }

    @Test func pytorchModeAlwaysMultiplies() throws {
        // At the threshold PyTorch still scales by 5/(5 + 1e-6).
        var clipper = GlobalNormClipper(maxNorm: 5, compatibility: .pytorch)
        let (out, t) = try CT.clipped(&clipper, CT.vectors([[3, 4]], as: Double.self))
        let coef = (1 / (5 + 1e-6)) * 5.0
        #expect(out[0].scalars == [3 * coef, 4 * coef])
        #expect(t.triggered)
        #expect(t.clippedFraction == 1)
        // Far below: the coefficient clamps to exactly 1 and nothing changes.
        var below = GlobalNormClipper(maxNorm: 100, compatibility: .pytorch)
        let (same, t2) = try CT.clipped(&below, CT.vectors([[3, 4]], as: Double.self))
        #expect(same[0].scalars == [3, 4] && !t2.triggered)
    }

    @Test func zeroThresholdAndZeroGradients() throws {
        var clipper = GlobalNormClipper(maxNorm: 0)
        let (zeros, t) = try CT.clipped(&clipper, CT.vectors([[0, 0], [0]], as: Float.self))
        #expect(CT.flat(zeros) == [0, 0, 0] && !t.triggered && t.normBefore == 0)
        let (out, t2) = try CT.clipped(&clipper, CT.vectors([[1, -2]], as: Float.self))
        #expect(CT.flat(out) == [0, 0] && t2.triggered && t2.normAfter == 0 && t2.cosineToRaw == 0 && t2.clippedFraction == 1)
    }

    @Test func emptySetAndEmptyTensors() throws {
        var clipper = GlobalNormClipper(maxNorm: 1)
        var none: [Tensor<Double>] = []
        let t = try clipper.clip(&none, parameters: [])
        #expect(t == .unchanged(norm: 0))
        let (out, t2) = try CT.clipped(&clipper, [Tensor<Double>.zeros([0, 3]), Tensor(unchecked: [2], scalars: [3, 4])])
        #expect(abs(out[1].scalars[0] - 0.6) <= 1e-15 && abs(out[1].scalars[1] - 0.8) <= 1e-15 && t2.clippedFraction == 1)
    }

    @Test func negativeThresholdThrows() {
        var clipper = GlobalNormClipper(maxNorm: -1)
        var g = CT.vectors([[1.0]], as: Double.self)
        #expect(throws: ClippingError.self) { try clipper.clip(&g, parameters: []) }
        var nan = GlobalNormClipper(maxNorm: .nan)
        do throws(ClippingError) {
            _ = try nan.clip(&g, parameters: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("max_norm must be a number ≥ 0"))
        }
    }
}
