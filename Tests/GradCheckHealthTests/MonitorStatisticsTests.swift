import Foundation
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckHealth

/// The monitor's numbers against hand computation.
@Suite struct MonitorStatisticsTests {
    static let parameters = [RunParameter(name: "d1/kernel", layer: "d1", shape: [2, 3]),
                             RunParameter(name: "d1/bias", layer: "d1", shape: [3]),
                             RunParameter(name: "d2/kernel", layer: "d2", shape: [3, 2])]
    static let layers = [RunLayer(name: "d1", activation: .reluFamily, units: 3),
                         RunLayer(name: "d2", activation: .sigmoid, units: 2),
                         RunLayer(name: "out", activation: .other)]

    static func monitor(_ options: MonitorOptions = .everything) throws -> (HealthMonitor, RunLogWriter) {
        let writer = RunLogWriter()
        return (try HealthMonitor(model: "m", parameters: parameters, layers: layers, log: writer, options: options), writer)
    }

    @Test func normsMaxAbsWeightAndUpdateMatchHandComputation() throws {
        let (m, _) = try Self.monitor()
        let gk: [Float] = [3, -4, 0, 0, 12, 0]          // norm 13, max 12
        let gb = try Tensor<Double>(shape: [3], scalars: [1, 2, -2])  // norm 3
        let g2: [Double] = [0, 0, 0, 0, 0, -5]          // norm 5
        try m.recordStep(loss: 1.25, gradients: ["d1/kernel": gk, "d1/bias": gb, "d2/kernel": g2],
                         parameters: ["d1/kernel": [Float](repeating: 0.5, count: 6)],
                         updates: ["d1/kernel": [Float](repeating: -0.001, count: 6)],
                         clippedGradNorm: 1, learningRate: 0.01)
        let step = try #require(m.log.steps.first)
        #expect(step.step == 1 && step.epoch == 1 && step.loss == 1.25)
        let k = step.parameters[0]
        #expect(k.name == "d1/kernel" && k.gradNorm == 13 && k.gradMax == 12)
        #expect(abs(k.weightNorm! - sqrt(6 * 0.25)) < 1e-12)
        #expect(abs(k.updateNorm! - sqrt(6) * 0.001) < 1e-9)
        #expect(step.parameters[1].gradNorm == 3 && step.parameters[1].gradMax == 2)
        #expect(step.parameters[1].weightNorm == nil)
        #expect(step.parameters[2].gradNorm == 5)
        // Global: sqrt(13² + 3² + 5²).
        #expect(abs(step.gradNorm! - sqrt(169 + 9 + 25.0)) < 1e-12)
        #expect(step.clippedGradNorm == 1 && step.learningRate == 0.01)
    }

    @Test func normsAreOverflowAndUnderflowSafe() throws {
        let (m, _) = try Self.monitor()
        try m.recordStep(loss: 1, gradients: ["d1/kernel": [1e200, -1e200, 0, 0, 0, 0] as [Double],
                                              "d1/bias": [1e-200, 1e-200, 0] as [Double],
                                              "d2/kernel": [Float.greatestFiniteMagnitude, 1, 0, 0, 0, 0]])
        let p = m.log.steps[0].parameters
        #expect(abs(p[0].gradNorm / (1e200 * 2.0.squareRoot()) - 1) < 1e-14)
        #expect(abs(p[1].gradNorm / (1e-200 * 2.0.squareRoot()) - 1) < 1e-14)
        #expect(p[2].gradNorm == Double(Float.greatestFiniteMagnitude))
        #expect(m.log.steps[0].gradNorm!.isFinite)
        #expect(!m.hasGoneNonfinite)
    }

    @Test func nonFiniteGradientsAreRecordedAndAlerted() throws {
        let (m, writer) = try Self.monitor()
        let alerts = try m.recordStep(loss: 0.5, gradients: ["d1/kernel": [1, .nan, 0, 0, 0, 0] as [Float],
                                                             "d1/bias": [.infinity, 0, 0] as [Float]])
        let p = m.log.steps[0].parameters
        #expect(p[0].gradNorm.isNaN && p[0].gradMax!.isNaN)
        #expect(p[1].gradNorm == .infinity && p[1].gradMax == .infinity)
        #expect(alerts.map(\.kind) == [.nonfinite])
        #expect(alerts[0].parameter == "d1/kernel")
        #expect(m.hasGoneNonfinite)
        #expect(writer.lines.contains { $0.contains(#""event":"alert""#) && $0.contains("nonfinite") })
        #expect(writer.lines[1].contains(#""grad_norm":"nan""#))
    }

    @Test func deadFractionCountsUnitsZeroForTheWholeBatch() throws {
        let (m, _) = try Self.monitor()
        // 4 samples × 3 units: unit 0 fires once, unit 1 never (dead), unit 2 always.
        let relu = try Tensor<Float>(shape: [4, 3], scalars: [0, 0, 1,
                                                              0, 0, 2,
                                                              5, 0, 3,
                                                              0, 0, 4])
        try m.recordStep(loss: 1, gradients: [:], activations: ["d1": relu])
        let s = try #require(m.log.steps[0].layers.first)
        #expect(s.name == "d1")
        #expect(s.deadFraction == 1.0 / 3)
        #expect(s.saturatedFraction == nil)
        let values: [Double] = [0, 0, 1, 0, 0, 2, 5, 0, 3, 0, 0, 4]
        let mean = values.reduce(0, +) / 12
        let std = sqrt(values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12)
        #expect(abs(s.mean! - mean) < 1e-12)
        #expect(abs(s.std! - std) < 1e-12)
    }

    @Test func flatArraysUseTheDeclaredUnitsAndConvolutionsTheLastAxis() throws {
        let (m, _) = try Self.monitor()
        // d1 declares 3 units: [2 samples × 3], unit 1 dead.
        // A [2, 2, 2, 3] "convolution output": channel 2 dead everywhere.
        try m.recordStep(loss: 1, gradients: [:], activations: ["d1": [1, 0, 1, 1, -0.5, 1] as [Float]])
        var conv = [Double](repeating: 1, count: 24)
        for i in stride(from: 2, to: 24, by: 3) { conv[i] = 0 }
        try m.recordStep(loss: 1, gradients: [:], activations: ["d1": try Tensor<Double>(shape: [2, 2, 2, 3], scalars: conv)])
        #expect(m.log.steps[0].layers[0].deadFraction == 1.0 / 3)
        #expect(m.log.steps[1].layers[0].deadFraction == 1.0 / 3)
    }

    @Test func flatArrayOfALayerWithoutUnitsHasNoDeadFraction() throws {
        let m = try HealthMonitor(model: "m", parameters: [], layers: [RunLayer(name: "r", activation: .reluFamily)],
                                  options: .everything)
        try m.recordStep(loss: 1, gradients: [:], activations: ["r": [0, 0, 1] as [Float]])
        #expect(m.log.steps[0].layers[0].deadFraction == nil)
        #expect(m.log.steps[0].layers[0].mean == 1.0 / 3)
    }

    @Test func saturationCountsOutputsWithinOnePercentOfTheBounds() throws {
        let (m, _) = try Self.monitor()
        // Sigmoid bounds 0...1: 0.005 and 0.995 are within 1%, 0.02 and 0.5 are not.
        try m.recordStep(loss: 1, gradients: [:], activations: ["d2": [0.005, 0.5, 0.995, 0.02, 1, 0] as [Float]])
        #expect(m.log.steps[0].layers[0].saturatedFraction == 4.0 / 6)
        let t = try HealthMonitor(model: "m", parameters: [], layers: [RunLayer(name: "t", activation: .tanh)],
                                  options: .everything)
        try t.recordStep(loss: 1, gradients: [:], activations: ["t": [-0.99, -0.97, 0, 0.985] as [Double]])
        #expect(t.log.steps[0].layers[0].saturatedFraction == 0.5)
    }

    @Test func activationStatisticsRunEveryNthStepByDefault() throws {
        let (m, _) = try Self.monitor(MonitorOptions())
        var measured: [Int] = []
        for t in 1...25 {
            if m.measuresActivations { measured.append(t) }
            try m.recordStep(loss: 1, gradients: [:], activations: ["d1": [1, 0, 1] as [Float]])
        }
        #expect(measured == [1, 10, 20])
        #expect(m.log.steps.filter { !$0.layers.isEmpty }.map(\.step) == [1, 10, 20])
    }

    @Test func weightNormsCanBeThinned() throws {
        var options = MonitorOptions()
        options.weightNormsEvery = 5
        let (m, _) = try Self.monitor(options)
        for _ in 1...10 {
            try m.recordStep(loss: 1, gradients: ["d1/bias": [1, 1, 1] as [Float]],
                             parameters: ["d1/bias": [2, 2, 2] as [Float]])
        }
        #expect(m.log.steps.compactMap { $0.parameters[0].weightNorm == nil ? nil : $0.step } == [1, 5, 10])
    }

    @Test func unknownNamesAndWrongSizesAreErrors() throws {
        let (m, _) = try Self.monitor()
        #expect(throws: HealthMonitorError.unknownName("d1/kernal", argument: "gradients", suggestion: "d1/kernel")) {
            try m.recordStep(loss: 1, gradients: ["d1/kernal": [1] as [Float]])
        }
        #expect(throws: HealthMonitorError.elementCount("d1/bias", argument: "updates", expected: 3, got: 2)) {
            try m.recordStep(loss: 1, gradients: [:], updates: ["d1/bias": [1, 2] as [Float]])
        }
        #expect(throws: HealthMonitorError.unknownName("d3", argument: "activations", suggestion: "d1")) {
            try m.recordStep(loss: 1, gradients: [:], activations: ["d3": [1] as [Float]])
        }
        #expect(throws: HealthMonitorError.negativeNumber("step", -1)) {
            try m.recordStep(loss: 1, gradients: [:], step: -1)
        }
        #expect(m.log.steps.isEmpty)
        // An empty activation is not measured (and not taken for a NaN).
        try m.recordStep(loss: 1, gradients: [:], activations: ["d1": [Float]()])
        #expect(m.log.steps[0].layers.isEmpty && !m.hasGoneNonfinite)
        #expect(throws: HealthMonitorError.duplicateName("a")) {
            _ = try HealthMonitor(model: "m", parameters: [RunParameter(name: "a"), RunParameter(name: "a")])
        }
        #expect(HealthMonitorError.unknownName("x", argument: "gradients", suggestion: nil).description
                == #"gradients["x"]: unknown parameter"#)
    }

    @Test func epochsStepsAndTheEndAreWritten() throws {
        let (m, writer) = try Self.monitor(MonitorOptions())
        try m.recordStep(loss: 2, gradients: ["d1/bias": [1, 0, 0] as [Float]])
        try m.recordStep(loss: 1.5, gradients: ["d1/bias": [1, 0, 0] as [Float]])
        try m.recordEpoch(loss: 1.75, valLoss: 1.8, accuracy: 0.4, valAccuracy: 0.35)
        try m.recordStep(loss: 1, gradients: ["d1/bias": [1, 0, 0] as [Float]], step: 10)
        try m.finish(status: .completed)
        try m.finish(status: .diverged)
        #expect(throws: HealthMonitorError.finished) { try m.recordStep(loss: 1, gradients: [:]) }
        let log = try RunLog.parse(writer.text)
        #expect(log.start?.parameters == Self.parameters && log.start?.layers == Self.layers)
        #expect(log.steps.map(\.step) == [1, 2, 10])
        #expect(log.steps.map(\.epoch) == [1, 1, 2])
        #expect(log.epochs == [RunEpoch(epoch: 1, step: 2, loss: 1.75, valLoss: 1.8, accuracy: 0.4, valAccuracy: 0.35)])
        #expect(log.end == RunEnd(status: .completed, step: 10))
        #expect(log == m.log)
    }

    @Test func aKilledRunLeavesAReadableLog() throws {
        let path = try Synthetic.directory().appendingPathComponent("run.jsonl").path
        // The monitor is never finished: every line written so far is already in the file.
        let m = try HealthMonitor(model: "m", parameters: Self.parameters, log: try RunLogWriter(path: path))
        for t in 1...3 { try m.recordStep(loss: Double(t), gradients: ["d1/bias": [1, 2, 2] as [Float]]) }
        let log = try RunLog.read(path: path)
        #expect(log.steps.count == 3 && log.end == nil && log.warnings.isEmpty)
        #expect(log.steps[2].parameters[0].gradNorm == 3)
    }

    @Test func kindsFromTheModelFormat() {
        #expect(ActivationKind(.elementwise(.relu)) == .reluFamily)
        #expect(ActivationKind(.elementwise(.sigmoid)) == .saturating(lower: 0, upper: 1))
        #expect(ActivationKind(.elementwise(.tanh)) == .saturating(lower: -1, upper: 1))
        #expect(ActivationKind(.elementwise(.leakyRelu(alpha: 0.2))) == .other)
        #expect(ActivationKind(.softmax) == .other)
        #expect(RunParameter(name: "dense_1/kernel").layer == "dense_1")
        #expect(RunParameter(name: "encoder.fc1.weight").layer == "encoder.fc1")
        #expect(RunParameter(name: "w").layer == "w")
    }
}

/// The norm kernel against a plain two-pass computation, on every length around its
/// eight-lane blocks and on the awkward values.
@Suite struct NormKernelTests {
    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 100, 1001])
    func matchesTheScaledNorm(count: Int) {
        var rng = SystemRandomNumberGenerator()
        let floats = (0..<count).map { _ in Float.random(in: -3...3, using: &rng) }
        let doubles = floats.map { Double($0) * 1e-3 }
        let f = TensorStatistics.norm(of: floats)
        let d = TensorStatistics.norm(of: doubles)
        let expectedF = doubles.isEmpty ? 0 : Double(floats.map { Double($0) * Double($0) }.reduce(0, +)).squareRoot()
        #expect(abs(f.norm - expectedF) <= 1e-12 * max(1, expectedF))
        #expect(f.maxAbs == Double(floats.map(\.magnitude).max() ?? 0))
        #expect(d.maxAbs == (doubles.map(\.magnitude).max() ?? 0))
        #expect(abs(d.norm - expectedF * 1e-3) <= 1e-12 * max(1e-3, expectedF))
    }

    @Test func awkwardValues() {
        #expect(TensorStatistics.norm(of: [Double](repeating: 0, count: 9)) == .init(norm: 0, maxAbs: 0))
        #expect(TensorStatistics.norm(of: [1e-200, 0, 0, 0, 0, 0, 0, 0, 0] as [Double]).maxAbs == 1e-200)
        #expect(TensorStatistics.norm(of: [1e-200, 0, 0, 0, 0, 0, 0, 0, 0] as [Double]).norm == 1e-200)
        let huge = TensorStatistics.norm(of: [3e200, 4e200, 0, 0, 0, 0, 0, 0, 1] as [Double])
        #expect(abs(huge.norm / 5e200 - 1) < 1e-15 && huge.maxAbs == 4e200)
        #expect(TensorStatistics.norm(of: [0, 0, 0, 0, 0, 0, 0, -Float.infinity, 1] as [Float]) == .init(norm: .infinity, maxAbs: .infinity))
        let nan = TensorStatistics.norm(of: [1, 2, .nan, 0, 0, 0, 0, 0, 5] as [Float])
        #expect(nan.norm.isNaN && nan.maxAbs.isNaN)
        #expect(TensorStatistics.norm(of: [Float.leastNonzeroMagnitude]).maxAbs == Double(Float.leastNonzeroMagnitude))
    }
}
