import Foundation
import Testing
@testable import GradCheckHealth

/// The real PyTorch and Keras runs of `Scripts/runs/torch_runs.py` and
/// `Scripts/runs/keras_runs.py` (committed under `Fixtures/runs/torch` and
/// `Fixtures/runs/keras`): each gets the verdict its script intended, with the intended
/// root cause first and the rest under it.
@Suite struct FrameworkRunTests {
    static func report(_ framework: String, _ name: String) throws -> HealthReport {
        let path = Synthetic.root.appendingPathComponent("Fixtures/runs/\(framework)/\(name).jsonl").path
        return try HealthReport.read(path: path)
    }

    /// The run's root cause is `kind` (on `layer` when given) and every other finding
    /// either follows from it or is less severe.
    static func expectRoot(_ r: HealthReport, _ kind: FindingKind, layer: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let root = try #require(r.rootCause, sourceLocation: sourceLocation)
        #expect(root.kind == kind, "\(r.text())", sourceLocation: sourceLocation)
        #expect(root.isRootCause, sourceLocation: sourceLocation)
        if let layer { #expect(root.layer == layer, "\(r.text())", sourceLocation: sourceLocation) }
        let worst = r.findings.map(\.severity).max() ?? .info
        for f in r.findings where f.isRootCause && f.id != root.id {
            #expect(f.severity < worst || f.firstStep ?? 0 >= root.firstStep ?? 0, "\(f.id) competes with the root",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["torch", "keras"]) func healthyRunsAreHealthy(_ framework: String) throws {
        let r = try Self.report(framework, "healthy")
        #expect(r.verdict == .healthy, "\(r.text())")
        #expect(r.findings.isEmpty)
        #expect(r.status == .completed)
    }

    @Test(arguments: ["torch", "keras"]) func vanishingRunsNameVanishingGradientsNearTheInput(_ framework: String) throws {
        let r = try Self.report(framework, "vanishing")
        #expect(r.verdict == .unhealthy)
        try Self.expectRoot(r, .vanishingGradients, layer: framework == "torch" ? "0" : "dense_1")
        // The input layer's tiny updates follow from its vanishing gradient.
        let small = try #require(r.findings(.smallUpdates).first)
        #expect(small.consequenceOf == r.rootCause?.id)
    }

    @Test(arguments: ["torch", "keras"]) func explodingRunsPutTheExplosionBeforeTheNaNs(_ framework: String) throws {
        let r = try Self.report(framework, "exploding")
        #expect(r.verdict == .unhealthy)
        try Self.expectRoot(r, .explodingGradients)
        let nonfinite = try #require(r.findings(.nonfinite).first)
        let divergence = try #require(r.findings(.lossDivergence).first)
        #expect(nonfinite.consequenceOf == r.rootCause?.id)
        #expect(divergence.consequenceOf != nil)
        #expect(r.findings.filter(\.isRootCause).count == 1, "\(r.text())")
        #expect(r.depth(of: divergence) >= 1)
    }

    @Test(arguments: ["torch", "keras"]) func deadReLURunsAreDeadUnitsNotVanishing(_ framework: String) throws {
        let r = try Self.report(framework, "dead-relu")
        try Self.expectRoot(r, .deadUnits, layer: framework == "torch" ? "0" : "dense_1")
        #expect(r.findings(.vanishingGradients).allSatisfy { !$0.isRootCause })
    }

    @Test func deadUnitsAreFoundFromGradientNormsAndZeroFractionsAlone() throws {
        // Only step, loss, grad_norm and grad_zero_fraction: what a cheap foreign logger writes.
        let r = try Self.report("torch", "dead-relu-minimal")
        try Self.expectRoot(r, .deadUnits, layer: "0")
        let f = try #require(r.rootCause)
        #expect(f.parameter == "0.bias")
        #expect(try #require(f.evidence("median_zero_gradient_fraction")) >= 0.75)
        #expect(f.message.contains("not vanishing"))
        #expect(r.findings(.vanishingGradients).isEmpty, "\(r.text())")
    }

    @Test func aLearningRateJumpIsTheRootOfTheDivergenceAndTheExplosionAfterIt() throws {
        let r = try Self.report("torch", "lr-jump")
        #expect(r.verdict == .unhealthy)
        try Self.expectRoot(r, .learningRateJump)
        let root = try #require(r.rootCause)
        #expect(root.severity == .warning)
        #expect(root.firstStep == 150)
        #expect(try #require(r.findings(.lossDivergence).first).consequenceOf == root.id)
        let exploding = try #require(r.findings(.explodingGradients).first)
        #expect(exploding.consequenceOf != nil)
        #expect(r.text().contains("Root cause: learning_rate_jump"))
    }
}
