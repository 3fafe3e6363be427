import GradCheckClipping
import GradCheckTensor
import Testing

/// Float gradients of 1e20 (squares overflow Float) and tiny ones (squares underflow).
@Suite struct OverflowTests {
    static func huge() -> [Tensor<Float>] {
        [Tensor(unchecked: [2, 2], scalars: [1e20, -1e20, 1e20, 1e20]), Tensor(unchecked: [2], scalars: [3e20, -4e20])]
    }

    @Test func normsAreFiniteAndRight() throws {
        var none = NoClipper()
        var g = Self.huge()
        let t = try none.clip(&g, parameters: [])
        // Entries are the Float values nearest 1e20 etc.; the norm is √(4 + 25)·1e20 to Float precision.
        #expect(abs(t.normBefore / (29.0.squareRoot() * 1e20) - 1) <= 1e-7)
    }

    @Test(arguments: [ClipCompatibility.exact, .pytorch])
    func globalNormClipsToTheThreshold(compatibility: ClipCompatibility) throws {
        var clipper = GlobalNormClipper(maxNorm: 1, compatibility: compatibility)
        var g = Self.huge()
        let t = try clipper.clip(&g, parameters: [])
        let flat = CT.flat(g)
        #expect(flat.allSatisfy { $0.isFinite && $0 != 0 })
        #expect(abs(CT.norm(flat) - 1) <= 1e-6)
        #expect(abs(t.normAfter - 1) <= 1e-6)
        #expect(abs(flat[0] - 1 / 29.0.squareRoot()) <= 1e-6)
        #expect(abs(t.cosineToRaw - 1) <= 1e-6)
    }

    @Test func everyPolicyStaysFinite() throws {
        let w: [Tensor<Float>] = [Tensor(repeating: 1e20, shape: [2, 2]), Tensor(repeating: 1e20, shape: [2])]
        for spec in NonFiniteRuleTests.policies {
            var clipper = makeClipper(spec)
            var g = Self.huge()
            let t = try clipper.clip(&g, parameters: w)
            #expect(CT.flat(g).allSatisfy { $0.isFinite }, "\(spec)")
            #expect(t.normBefore.isFinite && t.normAfter.isFinite && !t.cosineToRaw.isNaN, "\(spec)")
        }
        var norm = NormClipper(maxNorm: 2)
        var g = Self.huge()
        _ = try norm.clip(&g, parameters: [])
        #expect(abs(CT.norm(g[1].scalars.map(Double.init)) - 2) <= 1e-6)
        #expect(abs(Double(g[1].scalars[0]) - 1.2) <= 1e-6)
    }

    @Test func tinyFloatNormsDoNotUnderflow() throws {
        // 3e-25² underflows Float; the norm is still 5e-25 and clipping to 1e-26 works.
        var clipper = GlobalNormClipper(maxNorm: 1e-26)
        var g = [Tensor<Float>(unchecked: [2], scalars: [3e-25, 4e-25])]
        let t = try clipper.clip(&g, parameters: [])
        #expect(abs(t.normBefore / 5e-25 - 1) <= 1e-7)
        #expect(abs(Double(g[0].scalars[0]) / 6e-27 - 1) <= 1e-6)
    }

    @Test func hugeDoubles() throws {
        var clipper = GlobalNormClipper(maxNorm: 1)
        var g = [Tensor<Double>(unchecked: [2], scalars: [3e300, 4e300])]
        let t = try clipper.clip(&g, parameters: [])
        #expect(abs(t.normBefore / 5e300 - 1) <= 1e-15)
        #expect(abs(g[0].scalars[0] - 0.6) <= 1e-15 && abs(g[0].scalars[1] - 0.8) <= 1e-15)
        #expect(abs(t.cosineToRaw - 1) <= 1e-15)
    }
}
