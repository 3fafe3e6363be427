import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The precision audit's numbers are sane on a plain network, and a planted precision
/// problem is named as the worst layer.
@Suite struct PrecisionAuditTests {
    static let loss = LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)

    func audit(_ layers: [any Layer], inputs: Tensor<Double>) throws -> PrecisionReport {
        let m = try Model(name: "audit", inputShape: [inputs.shape[1]], layers: layers, loss: Self.loss)
        return try PrecisionAudit().run(m, parameters: m.initialParameters(seed: 3), inputs: inputs,
                                        targets: .labels((0..<inputs.shape[0]).map { $0 % 3 }))
    }

    func batch(offset: Double = 0, scale: Double = 1) -> Tensor<Double> {
        var rng = SeededRNG(seed: 1)
        return Tensor(unchecked: [8, 6], scalars: (0..<48).map { _ in offset + scale * rng.normal() })
    }

    @Test func aPlainMLPKeepsFloat32Digits() throws {
        let report = try audit([DenseLayer(name: "hidden", spec: DenseSpec(units: 5, activation: .tanh), inputShape: [6]),
                                DenseLayer(name: "out", spec: DenseSpec(units: 3), inputShape: [5])], inputs: batch())
        #expect(report.targets.map(\.target) == ["hidden", "out", "model"])
        for t in report.targets {
            // float32 has 24 bits (7.2 digits); sums of a few products lose a little.
            #expect(t.medianDigits > 5 && t.medianDigits < 8.5, "\(t)")
            #expect(t.worstDigits >= 3 && t.worstDigits <= t.medianDigits, "\(t)")
            #expect(t.elements > 0 && t.worst != nil)
            #expect(t.activations["float16"]?.overflow == 0 && t.gradients["bfloat16"]?.overflow == 0)
        }
        #expect(abs(report.loss32 - report.loss64) < 1e-5 * abs(report.loss64))
    }

    /// Layer normalisation of inputs near 1e4 with unit spread: float32 holds x to about
    /// 1e-3, so x − mean keeps about three digits; the dense layer after it keeps six.
    @Test func catastrophicCancellationIsNamed() throws {
        let report = try audit([LayerNormalizationLayer(name: "ln", inputShape: [6]),
                                DenseLayer(name: "out", spec: DenseSpec(units: 3), inputShape: [6])],
                               inputs: batch(offset: 1e4))
        let worst = try #require(report.worstLayer)
        #expect(worst.target == "ln", "\(report.targets)")
        let ln = report.targets[0], out = report.targets[1]
        #expect(ln.medianDigits < 5 && out.medianDigits > 5.5, "\(ln) \(out)")
    }

    @Test func hugeActivationsOverflowFloat16ButNotBfloat16() throws {
        let report = try audit([DenseLayer(name: "out", spec: DenseSpec(units: 3), inputShape: [6])],
                               inputs: batch(scale: 1e6))
        let model = try #require(report.targets.last)
        #expect(model.target == "model")
        #expect((model.activations["float16"]?.overflow ?? 0) > 0.5, "\(model)")
        #expect(model.activations["bfloat16"]?.overflow == 0)
    }

    @Test func rangeUseCountsTheNonzeroValues() {
        let values = [1e5, 1e-5, 1e-9, 1, 0]
        #expect(LowPrecisionFormat.float16.rangeUse(of: values)
                == RangeUse(elements: 4, overflow: 0.25, subnormal: 0.25, underflow: 0.25))
        #expect(LowPrecisionFormat.bfloat16.rangeUse(of: values) == RangeUse(elements: 4, overflow: 0, subnormal: 0, underflow: 0))
        #expect(LowPrecisionFormat.bfloat16.rangeUse(of: [1e39, 1e-39, 1e-46]).overflow == 1.0 / 3)
        #expect(LowPrecisionFormat.bfloat16.rangeUse(of: [1e39, 1e-39, 1e-46]).subnormal == 1.0 / 3)
        #expect(LowPrecisionFormat.bfloat16.rangeUse(of: [1e39, 1e-39, 1e-46]).underflow == 1.0 / 3)
    }
}
