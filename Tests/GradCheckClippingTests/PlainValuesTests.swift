import GradCheckClipping
import GradCheckNN
import GradCheckTensor
import Testing

/// Clipping plain `[[Float]]`/`[[Double]]` gives exactly what clipping the same values as
/// tensors gives, keeps the policy's state between steps, and writes in place.
@Suite struct PlainValuesTests {
    static let shapes = [[4, 3], [3], [3, 2], [2]]

    static func arrays<S: TensorScalar>(seed: UInt64, scale: Double, as _: S.Type) -> [[S]] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return shapes.map { shape in
            (0..<shape.reduce(1, *)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let u = Double(state >> 11) / Double(1 << 53)
                return S(scale * (2 * u - 1))
            }
        }
    }

    static func tensors<S: TensorScalar>(_ arrays: [[S]], shapes: [[Int]]? = nil) -> [Tensor<S>] {
        arrays.enumerated().map { i, a in Tensor(unchecked: shapes?[i] ?? [a.count], scalars: a) }
    }

    static let specs: [ClippingSpec] = [
        .none, .value(clipValue: 0.5), .norm(maxNorm: 0.5), .globalNorm(maxNorm: 1),
        .agc(clipping: 0.05, eps: 1e-3), .autoclip(percentile: 50), .zclip(zThreshold: 1, alpha: 0.9, warmupSteps: 2),
    ]

    @Test(arguments: specs)
    func floatArraysClipAsTensorsDoOverSeveralSteps(spec: ClippingSpec) throws {
        var plain = makeClipper(spec)
        var reference = makeClipper(spec)
        for step in 0..<8 {
            let weights = Self.arrays(seed: 100, scale: 1, as: Float.self)
            // Norms that jump around, so that the stateful policies' history matters.
            var grads = Self.arrays(seed: UInt64(step), scale: step % 3 == 2 ? 20 : 1, as: Float.self)
            var tensors = Self.tensors(grads)
            let t = try plain.clip(&grads, parameters: weights)
            let r = try reference.clip(&tensors, parameters: Self.tensors(weights))
            #expect(t == r, "step \(step)")
            #expect(grads == tensors.map(\.scalars), "step \(step)")
        }
    }

    @Test(arguments: specs)
    func doubleArraysClipAsTensorsDo(spec: ClippingSpec) throws {
        var plain = makeClipper(spec)
        var reference = makeClipper(spec)
        for step in 0..<5 {
            let weights = Self.arrays(seed: 7, scale: 1, as: Double.self)
            var grads = Self.arrays(seed: UInt64(50 + step), scale: step == 3 ? 30 : 2, as: Double.self)
            var tensors = Self.tensors(grads)
            let t = try plain.clip(&grads, parameters: weights)
            let r = try reference.clip(&tensors, parameters: Self.tensors(weights))
            #expect(t == r)
            #expect(grads == tensors.map(\.scalars))
        }
    }

    @Test func globalNormBoundsTheSetAndKeepsItsDirection() throws {
        var clipper = GlobalNormClipper(maxNorm: 1)
        let raw = Self.arrays(seed: 3, scale: 10, as: Double.self)
        var grads = raw
        let t = try clipper.clip(&grads)
        #expect(t.triggered)
        let norm = grads.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-12)
        #expect(abs(t.normAfter - 1) < 1e-12)
        let scale = grads[0][0] / raw[0][0]
        for (g, r) in zip(grads.joined(), raw.joined()) { #expect(abs(g - r * scale) < 1e-12) }
    }

    @Test func autoclipKeepsItsHistoryBetweenCalls() throws {
        // A fresh AutoClip never clips its first step (the threshold is that step's own
        // norm); the same clipper, having seen small norms, clips a large one.
        var clipper = makeClipper(.autoclip(percentile: 50))
        for seed in 0..<4 {
            var small = Self.arrays(seed: UInt64(seed), scale: 1, as: Float.self)
            _ = try clipper.clip(&small)
        }
        var large = Self.arrays(seed: 9, scale: 100, as: Float.self)
        var fresh = makeClipper(.autoclip(percentile: 50))
        var copy = large
        #expect(try fresh.clip(&copy).triggered == false)
        #expect(try clipper.clip(&large).triggered)
    }

    @Test func agcUsesTheShapesGiven() throws {
        let weights = Self.arrays(seed: 11, scale: 1, as: Double.self)
        let raw = Self.arrays(seed: 12, scale: 0.3, as: Double.self)
        for shapes in [nil, Self.shapes] {
            var grads = raw
            var tensors = Self.tensors(raw, shapes: shapes)
            var plain = AGCClipper(clipping: 0.1)
            var reference = AGCClipper(clipping: 0.1)
            let t = try plain.clip(&grads, parameters: weights, shapes: shapes)
            let r = try reference.clip(&tensors, parameters: Self.tensors(weights, shapes: shapes))
            #expect(t == r)
            #expect(t.triggered)
            #expect(grads == tensors.map(\.scalars))
        }
        // Vectors (no shapes) and kernels (shapes) group units differently.
        var asVectors = raw, asKernels = raw
        var a = AGCClipper(clipping: 0.1), b = AGCClipper(clipping: 0.1)
        _ = try a.clip(&asVectors, parameters: weights)
        _ = try b.clip(&asKernels, parameters: weights, shapes: Self.shapes)
        #expect(asVectors[0] != asKernels[0])
        #expect(asVectors[1] == asKernels[1])  // a bias is a vector either way
    }

    @Test func agcWithoutParametersThrowsAndLeavesTheGradients() {
        var clipper = makeClipper(.agc(clipping: 0.01, eps: 1e-3))
        let raw = Self.arrays(seed: 4, scale: 5, as: Float.self)
        var grads = raw
        #expect(throws: ClippingError.self) { try clipper.clip(&grads) }
        #expect(grads == raw)
    }

    @Test func wrongShapesThrowAndLeaveTheGradients() {
        var clipper = AGCClipper()
        let raw = Self.arrays(seed: 5, scale: 1, as: Double.self)
        var grads = raw
        do {
            _ = try clipper.clip(&grads, parameters: raw, shapes: [[4, 3], [3], [2, 2], [2]])
            Issue.record("expected a shape error")
        } catch {
            #expect(error.problem == .shapeMismatch(gradient: [6], parameter: [2, 2]))
            #expect(error.parameterIndex == 2)
        }
        #expect(throws: ClippingError.self) { try clipper.clip(&grads, parameters: raw, shapes: [[12]]) }
        #expect(grads == raw)
    }

    @Test func theNonFiniteRuleApplies() throws {
        var raw = Self.arrays(seed: 6, scale: 1, as: Float.self)
        raw[2][1] = .nan
        var grads = raw
        var strict = GlobalNormClipper(maxNorm: 1)
        do {
            _ = try strict.clip(&grads)
            Issue.record("expected a non-finite error")
        } catch {
            #expect(error.parameterIndex == 2)
            #expect(error.elementIndex == [1])
        }
        #expect(grads.count == raw.count && grads[0] == raw[0] && grads[2][1].isNaN)

        var skipping = GlobalNormClipper(maxNorm: 1, nonFinite: .skipStep)
        #expect(try skipping.clip(&grads).skipsStep)

        var zeroing = GlobalNormClipper(maxNorm: 1, nonFinite: .zero)
        let t = try zeroing.clip(&grads)
        #expect(t.action == .zeroed && t.nonFiniteCount == 1)
        #expect(grads[2][1] == 0)
    }

    @Test func oneFlatVectorIsOneParameter() throws {
        let raw = Self.arrays(seed: 8, scale: 4, as: Double.self)
        var flat = Array(raw.joined())
        var set = raw
        var a = NormClipper(maxNorm: 1), b = GlobalNormClipper(maxNorm: 1)
        let t = try a.clip(&flat)
        let r = try b.clip(&set)
        // The same clipping; the norms may differ in the last bit (summed in another order).
        #expect(t.triggered && r.triggered)
        #expect(abs(t.normBefore - r.normBefore) <= 1e-12 * r.normBefore)
        #expect(abs(t.normAfter - 1) < 1e-12 && abs(r.normAfter - 1) < 1e-12)
        for (x, y) in zip(flat, set.joined()) { #expect(abs(x - y) <= 1e-12) }
        var empty: [Float] = []
        #expect(try a.clip(&empty) == .unchanged(norm: 0))
    }

    @Test func clippingWritesInPlace() throws {
        var clipper = GlobalNormClipper(maxNorm: 0.1)
        var grads = Self.arrays(seed: 10, scale: 3, as: Float.self)
        let before = grads.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(try clipper.clip(&grads).triggered)
        let after = grads.map { $0.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(before == after)
    }
}
