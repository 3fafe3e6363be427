import GradCheckClipping
import GradCheckTensor
import Testing

/// Property tests of `value`: every element bounded, direction changed when it triggers.
@Suite struct ValueClipperTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func boundsEveryElementAndBendsTheDirection(seed: UInt64) throws {
        let raw = CT.randomSet([[6, 4], [4]], seed: seed, scale: 2, as: Double.self)
        var clipper = ValueClipper(clipValue: 1)
        let (out, t) = try CT.clipped(&clipper, raw)
        #expect(CT.flat(out).allSatisfy { abs($0) <= 1 })
        let changed = zip(CT.flat(raw), CT.flat(out)).filter { $0 != $1 }.count
        #expect(changed > 0)
        for (r, o) in zip(CT.flat(raw), CT.flat(out)) {
            #expect(o == min(max(r, -1), 1))
        }
        let cosine = CT.cosine(CT.flat(raw), CT.flat(out))
        #expect(cosine < 1 - 1e-6, "value clipping should change the direction")
        #expect(abs(t.cosineToRaw - cosine) <= 1e-12)
        #expect(t.triggered)
        #expect(t.clippedFraction == Double(changed) / 28)
        #expect(t.normAfter < t.normBefore)
    }

    @Test func identityBelowTheBound() throws {
        let raw = CT.randomSet([[5, 5]], seed: 4, scale: 0.1, as: Float.self)
        var clipper = ValueClipper(clipValue: 10)
        let (out, t) = try CT.clipped(&clipper, raw)
        #expect(CT.sameBits(out, raw))
        #expect(!t.triggered && t.cosineToRaw == 1 && t.normAfter == t.normBefore)
    }

    @Test func exactHitsAreNotChanges() throws {
        var clipper = ValueClipper(clipValue: 1)
        let (out, t) = try CT.clipped(&clipper, CT.vectors([[1, -1, 0.5]], as: Double.self))
        #expect(out[0].scalars == [1, -1, 0.5] && !t.triggered)
    }
}
