import GradCheckClipping
import GradCheckNN
import GradCheckTensor
import Testing

/// NaN and ±inf follow the chosen rule, for every policy.
@Suite struct NonFiniteRuleTests {
    static let policies: [ClippingSpec] = [
        .none, .value(clipValue: 1), .norm(maxNorm: 1), .globalNorm(maxNorm: 1),
        .agc(clipping: 0.01, eps: 1e-3), .autoclip(percentile: 10), .zclip(zThreshold: 2.5, alpha: 0.97, warmupSteps: 0),
    ]

    static func gradients() -> [Tensor<Double>] {
        [Tensor(unchecked: [2, 2], scalars: [1, 2, 3, 4]), Tensor(unchecked: [3], scalars: [1, .nan, -.infinity])]
    }

    static func parameters() -> [Tensor<Double>] {
        [Tensor(repeating: 1, shape: [2, 2]), Tensor(repeating: 1, shape: [3])]
    }

    @Test(arguments: policies)
    func errorThrowsNamingTheParameterAndLeavesGradients(spec: ClippingSpec) {
        var clipper = makeClipper(spec, nonFinite: .error)
        var g = Self.gradients()
        do throws(ClippingError) {
            _ = try clipper.clip(&g, parameters: Self.parameters())
            Issue.record("expected an error")
        } catch {
            #expect(error.parameterIndex == 1)
            #expect(error.problem == .nonFiniteGradient(value: .nan, count: 2))
            #expect(error.elementIndex == [1])
            let named = error.naming(["dense/kernel", "dense/bias"])
            #expect(named.description.contains("parameter 1 \"dense/bias\""))
            #expect(named.description.contains("2 non-finite elements, the first NaN at [1]"))
            #expect(named.description.hasPrefix(clipper.description + ":"))
        }
        #expect(CT.sameBits(g, Self.gradients()))
    }

    @Test(arguments: policies)
    func skipStepZeroesNothing(spec: ClippingSpec) throws {
        var clipper = makeClipper(spec, nonFinite: .skipStep)
        var g = Self.gradients()
        let t = try clipper.clip(&g, parameters: Self.parameters())
        #expect(CT.sameBits(g, Self.gradients()))
        #expect(t.action == .skippedStep && t.skipsStep)
        #expect(t.normBefore.isNaN && !t.triggered && t.nonFiniteCount == 2)
    }

    @Test(arguments: policies)
    func zeroRepairsThenClips(spec: ClippingSpec) throws {
        var clipper = makeClipper(spec, nonFinite: .zero)
        var g = Self.gradients()
        let t = try clipper.clip(&g, parameters: Self.parameters())
        #expect(CT.flat(g).allSatisfy { $0.isFinite })
        #expect(t.action == .zeroed && t.nonFiniteCount == 2)
        // Telemetry describes the repaired gradient [1, 2, 3, 4, 1, 0, 0].
        #expect(abs(t.normBefore - 31.0.squareRoot()) <= 1e-14)
        var repaired = [Tensor<Double>(unchecked: [2, 2], scalars: [1, 2, 3, 4]), Tensor(unchecked: [3], scalars: [1, 0, 0])]
        var fresh = makeClipper(spec, nonFinite: .error)
        let t2 = try fresh.clip(&repaired, parameters: Self.parameters())
        #expect(CT.sameBits(g, repaired))
        #expect(t2.normAfter == t.normAfter && t2.triggered == t.triggered)
    }

    @Test func propagateLeavesNonFiniteValues() throws {
        // Exact global norm: a non-finite norm gives no scale factor, so nothing changes.
        var global = GlobalNormClipper(maxNorm: 1, nonFinite: .propagate)
        var g = Self.gradients()
        let t = try global.clip(&g, parameters: [])
        #expect(CT.sameBits(g, Self.gradients()))
        #expect(t.normBefore.isNaN && t.action == .propagated && !t.triggered)
        // An inf (no NaN) norm is inf.
        var h = [Tensor<Double>(unchecked: [3], scalars: [1, .infinity, 2])]
        let ti = try global.clip(&h, parameters: [])
        #expect(ti.normBefore == .infinity && h[0].scalars[1] == .infinity)
        // PyTorch mode reproduces PyTorch: coefficient 0 → finite elements 0, inf → NaN.
        var torchLike = GlobalNormClipper(maxNorm: 1, compatibility: .pytorch, nonFinite: .propagate)
        var p = [Tensor<Double>(unchecked: [3], scalars: [1, .infinity, 2])]
        _ = try torchLike.clip(&p, parameters: [])
        #expect(p[0].scalars[0] == 0 && p[0].scalars[1].isNaN && p[0].scalars[2] == 0)
        // Value clipping clamps ±inf and keeps NaN.
        var value = ValueClipper(clipValue: 1, nonFinite: .propagate)
        var v = Self.gradients()
        let tv = try value.clip(&v, parameters: [])
        #expect(v[1].scalars[0] == 1 && v[1].scalars[1].isNaN && v[1].scalars[2] == -1)
        #expect(tv.triggered && tv.action == .propagated)
    }

    @Test func statefulPoliciesDoNotRecordBadSteps() throws {
        var auto = AutoClipper(percentile: 50, nonFinite: .skipStep)
        var zc = ZClipper(warmupSteps: 2, nonFinite: .propagate)
        for _ in 0..<3 {
            var g = Self.gradients()
            _ = try auto.clip(&g, parameters: [])
            _ = try zc.clip(&g, parameters: [])
        }
        #expect(auto.history.isEmpty)
        #expect(zc.warmupNorms.isEmpty && !zc.isWarmedUp)
    }
}
