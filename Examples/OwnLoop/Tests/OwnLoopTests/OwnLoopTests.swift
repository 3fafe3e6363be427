import _Differentiation
import Foundation
import GradCheck
import GradCheckTesting
import OwnLoop
import Testing

/// The hand-written loop's two runs on iris give the verdicts the example promises, and
/// what they wrote is a run log the CLI's reader judges the same way.
@Suite(.serialized) struct OwnLoopTests {
    static let data: LabelledData = try! LabelledData.load(path: LabelledData.irisPath)

    static func directory() -> String {
        let path = NSTemporaryDirectory() + "own-loop-tests-\(UUID().uuidString)"
        return path
    }

    @Test func theHealthyRunHasNoCriticalFinding() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try train(.healthy, on: Self.data, directory: dir)
        #expect(!run.report.findings.contains { $0.severity == .critical }, "\(run.report.findings.map(\.message))")
        #expect(run.report.verdict != .unhealthy)
        #expect(run.report.status == .completed)
        #expect(run.validationAccuracy >= 0.8)
        #expect(run.finalLoss < 0.5)

        // The log on disk is complete and judged the same way when read back.
        let log = try RunLog.read(path: run.logPath)
        #expect(log.steps.count == run.report.stepCount)
        #expect(log.steps.count == 30 * 8)  // 30 epochs of 120 samples in batches of 16
        #expect(log.epochs.count == 30)
        #expect(log.end?.status == .completed)
        #expect(log.steps.allSatisfy { $0.clippedGradNorm != nil && $0.parameters.count == 4 })
        #expect(log.steps.contains { !$0.layers.isEmpty })  // activations measured on some steps
        #expect(HealthReport(log: log).verdict == run.report.verdict)
        let html = try String(contentsOfFile: run.reportPath, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains(RunSettings.healthy.name))
    }

    @Test func theDeepSigmoidRunFindsVanishingGradients() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try train(.deepSigmoid, on: Self.data, directory: dir)
        let vanishing = run.report.findings(.vanishingGradients)
        #expect(vanishing.count == 1)
        #expect(vanishing.first?.layer == "dense_1")  // the layer nearest the input
        #expect(run.report.verdict == .unhealthy)
        let fromFile = HealthReport(log: try RunLog.read(path: run.logPath))
        #expect(fromFile.findings(.vanishingGradients).first?.severity == vanishing.first?.severity)
        let html = try String(contentsOfFile: run.reportPath, encoding: .utf8)
        #expect(html.contains("vanishing_gradients") || html.contains("Vanishing"))
    }

    @Test func theClipperKeepsTheGlobalNormBound() throws {
        var model = RunSettings.healthy.model(inputs: 4, classes: 3)
        let x = Array(Self.data.features.prefix(16).joined()), y = Array(Self.data.labels.prefix(16))
        let (_, gradient) = valueWithGradient(at: model) { m in m.loss(x, labels: y) }
        var gradients = arrays(of: gradient)
        var clipper = makeClipper(.globalNorm(maxNorm: 0.01))
        let telemetry = try clipper.clip(&gradients)
        #expect(telemetry.triggered && telemetry.normBefore > 0.01)
        let norm = gradients.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 0.01) < 1e-12)
        model.descend(along: gradients, learningRate: 1)
    }

    /// The hand-written derivatives the model is built from, checked by GradCheck
    /// against central differences (`[Double]` is `ScalarFlattenable`).
    @Test(arguments: [Nonlinearity.relu, .tanh, .sigmoid, .linear])
    func theHandWrittenDerivativesAreCorrect(activation f: Nonlinearity) {
        var generator = SplitMix(seed: 3)
        func values(_ n: Int) -> [Double] { (0..<n).map { _ in generator.nextUnit() * 2 - 1 } }
        let x = values(12), w = values(20), b = values(5), w2 = values(15), b2 = values(3)  // batch 3, 4 → 5 → 3
        let labels = [0, 2, 1]
        expectCorrectGradients(of: { (w: [Double]) -> Double in
            softmaxCrossEntropy(affine(activate(affine(x, w, b, inputs: 4, units: 5), f), w2, b2, inputs: 5, units: 3),
                                labels: labels, classes: 3)
        }, at: w)
        expectCorrectGradients(of: { (b: [Double]) -> Double in
            softmaxCrossEntropy(affine(activate(affine(x, w, b, inputs: 4, units: 5), f), w2, b2, inputs: 5, units: 3),
                                labels: labels, classes: 3)
        }, at: b)
        expectCorrectGradients(of: { (x: [Double]) -> Double in
            softmaxCrossEntropy(affine(activate(affine(x, w, b, inputs: 4, units: 5), f), w2, b2, inputs: 5, units: 3),
                                labels: labels, classes: 3)
        }, at: x)
    }
}
