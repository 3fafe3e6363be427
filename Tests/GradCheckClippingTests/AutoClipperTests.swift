import GradCheckClipping
import GradCheckTensor
import Testing

/// AutoClip over a sequence: the threshold is the percentile of the history including the
/// current norm.
@Suite struct AutoClipperTests {
    /// A gradient of global norm `n` in a fixed direction.
    static func gradient(norm n: Double) -> [Tensor<Double>] {
        [Tensor(unchecked: [2], scalars: [0.6 * n, 0.8 * n])]
    }

    @Test func followsThePercentileOfTheHistory() throws {
        var clipper = AutoClipper(percentile: 50)
        // (norm, expected threshold, clipped?)
        let steps: [(Double, Double, Bool)] = [(1, 1, false), (2, 1.5, true), (3, 2, true), (10, 2.5, true), (0.5, 2, false)]
        for (k, (n, threshold, clips)) in steps.enumerated() {
            var g = Self.gradient(norm: n)
            let t = try clipper.clip(&g, parameters: [])
            #expect(abs((clipper.lastThreshold ?? .nan) - threshold) <= 1e-12, "step \(k + 1)")
            #expect(t.triggered == clips, "step \(k + 1)")
            #expect(abs(t.normAfter - (clips ? threshold : n)) <= 1e-12, "step \(k + 1)")
            #expect(abs(t.cosineToRaw - 1) <= 1e-12)
        }
        #expect(clipper.history.count == 5)
        #expect(clipper.history == clipper.history.sorted())
        // The history holds raw norms, not clipped ones.
        #expect(abs((clipper.history.last ?? 0) - 10) <= 1e-12)
    }

    @Test func firstStepNeverClipsAndHundredthPercentileNeverClips() throws {
        var first = AutoClipper(percentile: 10)
        var g = Self.gradient(norm: 1e6)
        #expect(!(try first.clip(&g, parameters: [])).triggered)
        var top = AutoClipper(percentile: 100)
        for n in [1.0, 5, 2, 50, 3] {
            var h = Self.gradient(norm: n)
            #expect(!(try top.clip(&h, parameters: [])).triggered)
        }
    }

    @Test func percentileMatchesNumPyLinear() {
        #expect(AutoClipper.percentile(50, ofSorted: [1, 2, 3, 4]) == 2.5)
        #expect(AutoClipper.percentile(10, ofSorted: [1, 2, 3, 4, 5]) == 1.4)
        #expect(AutoClipper.percentile(100, ofSorted: [1, 7]) == 7)
        #expect(AutoClipper.percentile(30, ofSorted: [4]) == 4)
        #expect(AutoClipper.percentile(30, ofSorted: []).isNaN)
    }

    @Test func invalidPercentileThrows() {
        for p in [0.0, -1, 101, .nan] {
            var clipper = AutoClipper(percentile: p)
            var g = Self.gradient(norm: 1)
            #expect(throws: ClippingError.self) { try clipper.clip(&g, parameters: []) }
        }
    }
}
