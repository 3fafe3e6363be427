import GradCheck
import GradCheckTesting
import Testing
import XCTest

/// A dense-like op whose VJP has a planted sign error in the bias gradient.
@Sendable func affineForward(_ x: [Tensor<Double>]) -> Tensor<Double> { x[0].matmul(x[1]).addingRow(x[2]) }
@Sendable func affineVJP(_ x: [Tensor<Double>], _ g: Tensor<Double>) -> [Tensor<Double>] {
    [g.matmul(x[1], transposeRHS: true), x[0].transposedMatmul(g), g.sumRows()]
}
@Sendable func affineBuggyVJP(_ x: [Tensor<Double>], _ g: Tensor<Double>) -> [Tensor<Double>] {
    var grads = affineVJP(x, g)
    grads[2].scalars[1] *= -1
    return grads
}

let affineInputs: [Tensor<Double>] = [
    Tensor(unchecked: [3, 2], scalars: [0.1, -0.4, 1.2, 0.3, -0.7, 0.9]),
    Tensor(unchecked: [2, 3], scalars: [0.5, -0.2, 0.8, 1.1, 0.4, -0.6]),
    Tensor(unchecked: [3], scalars: [0.05, -0.1, 0.2]),
]

@Suite struct SwiftTestingAssertionTests {
    @Test func correctOpRecordsNoIssue() {
        let results = expectCorrectGradients(forward: affineForward, vjp: affineVJP, at: affineInputs, names: ["x", "w", "b"])
        #expect(results.allSatisfy { $0.status == .pass })
    }

    @Test func buggyOpRecordsAnIssueNamingTheElement() {
        withKnownIssue {
            expectCorrectGradients(forward: affineForward, vjp: affineBuggyVJP, at: affineInputs, names: ["x", "w", "b"])
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined()
            return text.contains("b[1]") && text.contains("analytic") && text.contains("rtol")
        }
    }

    @Test func aLayerCanBeChecked() {
        let layer = DenseLayer(name: "dense_1", spec: DenseSpec(units: 3, activation: .tanh), inputShape: [4])
        let results = expectCorrectGradients(of: layer)
        #expect(results.count == 3)
    }

    @Test func aSpecCanBeChecked() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let report = expectCorrectGradients(specAt: root.appendingPathComponent("Fixtures/specs/tiny-logits.json").path)
        #expect(report?.passed == true)
    }

    @Test func aBadSpecPathIsAnIssue() {
        withKnownIssue { expectCorrectGradients(specAt: "/nonexistent/spec.json") }
    }

    @Test func failureMessageCarriesWhatAPersonNeeds() {
        let results = GradientChecks.op(forward: affineForward, vjp: affineBuggyVJP, at: affineInputs, names: ["x", "w", "b"])
        let messages = GradientFailure.messages(results, tolerance: .float64)
        #expect(messages.count == 1)
        let m = messages[0]
        for needle in ["b[1]", "analytic", "numerical", "rel err", "atol 1e-08", "rtol 1e-05", "1 of 3 elements"] {
            #expect(m.contains(needle), "\(needle) missing from: \(m)")
        }
    }
}

final class XCTestAssertionTests: XCTestCase {
    func testCorrectOpPasses() {
        let results = XCTAssertCorrectGradients(forward: affineForward, vjp: affineVJP, at: affineInputs)
        XCTAssertEqual(results.count, 3)
    }

    func testDifferentiableFunctionPasses() {
        XCTAssertCorrectGradients(of: { (x: SIMD2<Double>) in (x * x * x).sum() }, at: SIMD2(0.3, -1.2))
    }
}
