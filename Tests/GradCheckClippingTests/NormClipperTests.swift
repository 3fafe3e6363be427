import GradCheckClipping
import GradCheckTensor
import Testing

/// Property tests of per-tensor `norm` clipping.
@Suite struct NormClipperTests {
    @Test func eachTensorKeepsItsDirectionAndBound() throws {
        var raw = CT.randomSet([[4, 4], [4], [2, 3]], seed: 3, scale: 1, as: Double.self)
        raw[1] = raw[1].map { $0 * 0.01 }  // this one stays below the bound
        var clipper = NormClipper(maxNorm: 0.5)
        let (out, t) = try CT.clipped(&clipper, raw)
        for (r, o) in zip(raw, out) {
            let rn = CT.norm(r.scalars), on = CT.norm(o.scalars)
            #expect(abs(CT.cosine(r.scalars, o.scalars) - 1) <= 1e-12)
            if rn > 0.5 {
                #expect(abs(on - 0.5) <= 1e-12)
            } else {
                #expect(o.scalars == r.scalars)
            }
        }
        #expect(t.triggered)
        #expect(t.clippedFraction == Double(16 + 6) / 26)
        // The set as a whole bends a little, since tensor 1 was not scaled.
        #expect(t.cosineToRaw < 1)
    }

    @Test func identityBelowThreshold() throws {
        let raw = CT.randomSet([[3, 3], [3]], seed: 5, scale: 0.01, as: Float.self)
        var clipper = NormClipper(maxNorm: 1)
        let (out, t) = try CT.clipped(&clipper, raw)
        #expect(CT.sameBits(out, raw) && !t.triggered)
    }

    @Test func matchesKerasFormula() throws {
        // Keras clipnorm: g·c / max(‖g‖, c).
        let raw = CT.randomSet([[5, 2], [7]], seed: 8, scale: 3, as: Double.self)
        var clipper = NormClipper(maxNorm: 1.5)
        let (out, _) = try CT.clipped(&clipper, raw)
        for (r, o) in zip(raw, out) {
            let n = CT.norm(r.scalars)
            for (x, y) in zip(r.scalars, o.scalars) {
                #expect(CT.ulps(y, x * 1.5 / max(n, 1.5)) <= 4)
            }
        }
    }
}
