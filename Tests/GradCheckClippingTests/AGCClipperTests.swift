import GradCheckClipping
import GradCheckTensor
import Testing

/// AGC matches `G_i ← G_i · λ·max(‖W_i‖, eps)/‖G_i‖ when ‖G_i‖ > λ·max(‖W_i‖, eps)`, unit by unit.
@Suite struct AGCClipperTests {
    /// Reference: unit index of each flat element under the Keras last-axis rule.
    static func lastAxisUnit(_ shape: [Int], _ flat: Int) -> Int {
        shape.count <= 1 ? (shape.isEmpty ? 0 : flat) : flat % shape[shape.count - 1]
    }

    static func firstAxisUnit(_ shape: [Int], _ flat: Int) -> Int {
        shape.count <= 1 ? 0 : flat / (shape.dropFirst().reduce(1, *))
    }

    static func expected(_ g: Tensor<Double>, _ w: Tensor<Double>, lambda: Double, eps: Double,
                         unit: ([Int], Int) -> Int) -> [Double] {
        var gSq: [Int: Double] = [:], wSq: [Int: Double] = [:]
        for i in 0..<g.count {
            let u = unit(g.shape, i)
            gSq[u, default: 0] += g.scalars[i] * g.scalars[i]
            wSq[u, default: 0] += w.scalars[i] * w.scalars[i]
        }
        return (0..<g.count).map { i in
            let u = unit(g.shape, i)
            let gn = gSq[u, default: 0].squareRoot(), wn = wSq[u, default: 0].squareRoot()
            let limit = lambda * max(wn, eps)
            return gn > limit ? g.scalars[i] * (limit / gn) : g.scalars[i]
        }
    }

    @Test(arguments: [AGCUnitLayout.lastAxis, .firstAxis])
    func matchesTheFormulaUnitByUnit(layout: AGCUnitLayout) throws {
        let shapes = [[4, 3], [3], [2, 2, 2, 3], []]
        let weights = CT.randomSet(shapes, seed: 31, scale: 1, as: Double.self)
        var grads = CT.randomSet(shapes, seed: 32, scale: 0.05, as: Double.self)
        grads[0].scalars[2] *= 40  // make some units clip and others not
        grads[2].scalars[0] *= 40
        grads[1].scalars[1] = 0   // a zero unit
        var clipper = AGCClipper(clipping: 0.1, eps: 1e-3, layout: layout)
        let (out, t) = try CT.clipped(&clipper, grads, parameters: weights)
        var changedUnits = 0
        for k in shapes.indices {
            let want = Self.expected(grads[k], weights[k], lambda: 0.1, eps: 1e-3,
                                     unit: layout == .lastAxis ? Self.lastAxisUnit : Self.firstAxisUnit)
            for (o, e) in zip(out[k].scalars, want) {
                #expect(CT.ulps(o, e) <= 2, "tensor \(k): \(o) vs \(e)")
            }
            changedUnits += zip(out[k].scalars, grads[k].scalars).filter { $0 != $1 }.count
        }
        #expect(t.triggered)
        #expect(changedUnits > 0 && changedUnits < 40)
        #expect(t.clippedFraction == Double(changedUnits) / 40)
        #expect(t.cosineToRaw < 1)
    }

    @Test func epsProtectsZeroWeights() throws {
        // Zero-initialised bias: limit is λ·eps per element.
        let w = [Tensor<Double>.zeros([3])]
        var clipper = AGCClipper(clipping: 0.01, eps: 1e-3)
        let (out, _) = try CT.clipped(&clipper, [Tensor<Double>(unchecked: [3], scalars: [1, -1e-6, 0])], parameters: w)
        #expect(abs(out[0].scalars[0] - 1e-5) <= 1e-20)
        #expect(out[0].scalars[1] == -1e-6)
        #expect(out[0].scalars[2] == 0)
    }

    @Test func identityWhenAllUnitsAreSmall() throws {
        let w = CT.randomSet([[5, 4], [4]], seed: 2, as: Float.self)
        let g = CT.randomSet([[5, 4], [4]], seed: 3, scale: 1e-6, as: Float.self)
        var clipper = AGCClipper(clipping: 0.5, eps: 0)
        let (out, t) = try CT.clipped(&clipper, g, parameters: w)
        #expect(CT.sameBits(out, g) && !t.triggered && t.cosineToRaw == 1)
    }

    @Test func mismatchedParametersThrow() {
        var clipper = AGCClipper()
        var g = CT.vectors([[1.0, 2]], as: Double.self)
        do throws(ClippingError) {
            _ = try clipper.clip(&g, parameters: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == .parameterCountMismatch(gradients: 1, parameters: 0))
        }
        do throws(ClippingError) {
            _ = try clipper.clip(&g, parameters: [Tensor<Double>.zeros([3])])
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == .shapeMismatch(gradient: [2], parameter: [3]) && error.parameterIndex == 0)
        }
    }

    @Test func nonFiniteWeights() throws {
        let w = [Tensor<Double>(unchecked: [2, 2], scalars: [1, .nan, 1, 1])]
        let g = [Tensor<Double>(unchecked: [2, 2], scalars: [5, 5, 5, 5])]
        var strict = AGCClipper(clipping: 0.1)
        do {
            _ = try CT.clipped(&strict, g, parameters: w)
            Issue.record("expected an error")
        } catch let error as ClippingError {
            #expect(error.problem == .nonFiniteParameter(value: .nan, count: 1))
            #expect(error.elementIndex == [0, 1])
        }
        var lenient = AGCClipper(clipping: 0.1, nonFinite: .propagate)
        let (out, t) = try CT.clipped(&lenient, g, parameters: w)
        // Column 1 has a NaN weight: left alone. Column 0: ‖W‖ = √2, limit 0.1·√2.
        #expect(out[0].scalars[1] == 5 && out[0].scalars[3] == 5)
        #expect(abs(out[0].scalars[0] - 0.1) <= 1e-15)
        #expect(t.action == .propagated)
        var skipping = AGCClipper(clipping: 0.1, nonFinite: .skipStep)
        let (same, t2) = try CT.clipped(&skipping, g, parameters: w)
        #expect(same == g && t2.action == .skippedStep)
    }
}
