import _Differentiation
import GradCheck
import GradCheckTesting
import Testing
import XCTest

// Functions with both a custom differential (forward mode) and a custom pullback: Swift
// 6.3 has a differential for these without the experimental forward-mode flag.

func softCube(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 } + x[0] * x[1] }
@derivative(of: softCube)
func softCubeVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> Array<Double>.TangentVector) {
    (softCube(x), { v in
        var g = x.map { 3 * $0 * $0 * v }
        g[0] += x[1] * v
        g[1] += x[0] * v
        return Array<Double>.TangentVector(g)
    })
}
@derivative(of: softCube)
func softCubeJVP(_ x: [Double]) -> (value: Double, differential: (Array<Double>.TangentVector) -> Double) {
    (softCube(x), { t in
        zip(x, t.base).reduce(0) { $0 + 3 * $1.0 * $1.0 * $1.1 } + t.base[0] * x[1] + x[0] * t.base[1]
    })
}

/// The same function, whose pullback forgets the cross term's `x[0]·dx[1]` (its
/// differential is right): the differential and the pullback disagree.
func softCubeMissingTerm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 } + x[0] * x[1] }
@derivative(of: softCubeMissingTerm)
func softCubeMissingTermVJP(_ x: [Double]) -> (value: Double, pullback: (Double) -> Array<Double>.TangentVector) {
    (softCubeMissingTerm(x), { v in
        var g = x.map { 3 * $0 * $0 * v }
        g[0] += x[1] * v   // planted: g[1] misses x[0] · v
        return Array<Double>.TangentVector(g)
    })
}
@derivative(of: softCubeMissingTerm)
func softCubeMissingTermJVP(_ x: [Double]) -> (value: Double, differential: (Array<Double>.TangentVector) -> Double) {
    (softCubeMissingTerm(x), { t in
        zip(x, t.base).reduce(0) { $0 + 3 * $1.0 * $1.0 * $1.1 } + t.base[0] * x[1] + x[0] * t.base[1]
    })
}

@Suite struct DifferentiableDotTaylorTests {
    static let point: [Double] = [0.7, -1.2, 0.4]

    @Test func aCorrectDifferentialAndPullbackPassTheDotProductTest() {
        let r = expectDotProduct(of: softCube, at: Self.point)
        #expect(r.status == .pass && r.method == .dotProduct && r.elementsChecked == 4)
        // No numerical noise: the two sides agree to rounding, far inside the 1e-9 tolerance.
        #expect(r.maxRelativeError < 1e-13)
    }

    @Test func aWrongPullbackFailsTheDotProductTest() {
        withKnownIssue {
            expectDotProduct(of: softCubeMissingTerm, at: Self.point)
        } matching: { issue in
            issue.comments.map(\.rawValue).joined().contains("dot-product test of x")
        }
        let r = GradientChecker().dotProductCheck(softCubeMissingTerm, at: Self.point)
        #expect(r.status == .fail && r.failures == 4)
    }

    @Test func aCorrectGradientConvergesAtRateTwo() throws {
        let r = expectTaylorConvergence(of: softCube, at: Self.point)
        #expect(r.status == .pass && r.method == .taylor)
        let fit = try #require(r.taylor)
        let rate = try #require(fit.rate)
        #expect(abs(rate - 2) < 0.2, "\(rate)")
        #expect(fit.points >= TaylorFit.minimumPoints)
        #expect(fit.smallestStep! < fit.largestStep!)
    }

    @Test func aWrongGradientConvergesAtRateOneAndFails() throws {
        withKnownIssue {
            expectTaylorConvergence(of: softCubeMissingTerm, at: Self.point)
        } matching: { issue in
            issue.comments.map(\.rawValue).joined().contains("Taylor test")
        }
        let r = GradientChecks.differentiableTaylor(softCubeMissingTerm, at: Self.point)[0]
        #expect(r.status == .fail)
        let rate = try #require(r.taylor?.rate)
        #expect(abs(rate - 1) < 0.2, "\(rate)")
        // The per-element check behind it locates the element the pullback gets wrong.
        #expect(r.failingElements.map(\.flatIndex) == [1])
    }

    @Test func theTaylorTestNeedsNoDifferential() {
        // A reverse-only derivative (the compiler's own, no forward mode): Taylor works.
        let r = GradientChecks.differentiableTaylor({ (x: SIMD4<Double>) in (x * x * x).sum() + x[0] * x[3] },
                                                    at: SIMD4(0.3, -0.5, 1.1, 0.8))[0]
        #expect(r.status == .pass, "\(r.taylor.map { "\($0.rate ?? .nan)" } ?? "")")
        // And a wrong custom pullback (badCube, off by 2/3) fails it.
        #expect(GradientChecks.differentiableTaylor(badCube, at: 1.3)[0].status == .fail)
        #expect(GradientChecks.differentiableTaylor(cube, at: 1.3)[0].status == .pass)
    }
}

final class XCTestDotTaylorTests: XCTestCase {
    func testCorrectDifferentiableFunctionPassesBoth() {
        XCTAssertEqual(XCTAssertDotProduct(of: softCube, at: DifferentiableDotTaylorTests.point).status, .pass)
        XCTAssertEqual(XCTAssertTaylorConvergence(of: softCube, at: DifferentiableDotTaylorTests.point).status, .pass)
    }

    func testWrongPullbackFailsBothChecksBehindTheAssertions() {
        // XCTest on Linux has no XCTExpectFailure: the checks the assertions run are asserted directly.
        XCTAssertEqual(GradientChecks.differentiableDotProduct(softCubeMissingTerm, at: DifferentiableDotTaylorTests.point)[0].status, .fail)
        XCTAssertEqual(GradientChecks.differentiableTaylor(softCubeMissingTerm, at: DifferentiableDotTaylorTests.point)[0].status, .fail)
    }
}
