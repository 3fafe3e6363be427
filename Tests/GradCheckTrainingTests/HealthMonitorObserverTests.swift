import Foundation
import GradCheckAutograd
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

/// The trainer feeds the health monitor through its public API.
struct HealthMonitorObserverTests {
    func model() throws -> Model { try Fixture.model(json: Fixture.mlpJSON(inputs: 4, hidden: 8, classes: 3)) }

    @Test func aHealthyRunIsLoggedAndJudgedHealthy() throws {
        let model = try model()
        let writer = RunLogWriter()
        let observer = try HealthMonitorObserver(model: model, log: writer)
        var config = TrainingConfiguration(epochs: 4, batchSize: 16, validationSplit: 0, seed: 3)
        config.optimizer = OptimizerSpec(kind: .adam, learningRate: 0.01)
        let trainer = try Trainer<Float>(model: model, configuration: config)
        trainer.observers = [observer]
        let result = try trainer.fit(PreparedData(Fixture.blobs(count: 160), validationSplit: 0.25, seed: 1))
        #expect(result.status == .completed)
        #expect(observer.error == nil)
        let log = try RunLog.parse(writer.text)
        #expect(log.start?.model == "tiny")
        #expect(log.steps.count == 4 * 8)
        #expect(log.epochs.count == 4)
        #expect(log.end?.status == .completed)
        let first = try #require(log.steps.first)
        #expect(first.parameters.map(\.name) == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"])
        #expect(first.parameters.allSatisfy { $0.updateNorm != nil && $0.weightNorm != nil })
        #expect(first.learningRate == 0.01)
        #expect(!first.layers.isEmpty)   // activations are measured on step 1
        #expect(log.epochs.last?.valAccuracy != nil)
        let report = observer.monitor.report()
        #expect(!report.findings.contains { $0.severity == .critical }, "\(report.findings.map(\.message))")
    }

    @Test func aNonFiniteRunIsStoppedAndLocatedInTheLog() throws {
        let model = try model()
        let writer = RunLogWriter()
        let observer = try HealthMonitorObserver(model: model, log: writer)
        var data = Fixture.blobs(count: 32)
        data.inputs[4 * 20 + 1] = .nan
        var config = TrainingConfiguration(epochs: 3, batchSize: 8, seed: 3)
        config.shuffle = false
        let trainer = try Trainer<Float>(model: model, configuration: config)
        trainer.observers = [observer]
        let result = try trainer.fit(train: data)
        #expect(result.status == .diverged)
        #expect(result.end.steps == 3)   // row 20 is in the third batch
        let log = try RunLog.parse(writer.text)
        #expect(log.end?.status == .diverged)
        #expect(log.steps.last?.nonfinite.first?.pass == .inputs)
        #expect(log.alerts.contains { $0.kind == .nonfinite })
    }

    @Test func theMonitorStopsARunThatTheTrainerWouldNot() throws {
        // With the trainer's own stop off and the `zero` rule, gradients are repaired, but the
        // loss of the step is NaN: the monitor sees it and stops the run.
        let model = try model()
        let observer = try HealthMonitorObserver(model: model)
        var data = Fixture.blobs(count: 16)
        data.inputs[0] = .nan
        var config = TrainingConfiguration(epochs: 2, batchSize: 8, seed: 3)
        config.stopOnNonFinite = false
        config.nonFinite = .zero
        config.shuffle = false
        let trainer = try Trainer<Float>(model: model, configuration: config)
        trainer.observers = [observer]
        let result = try trainer.fit(train: data)
        #expect(result.status == .diverged)
        #expect(result.end.reason.contains("health monitor"))
    }
}

/// Attention layers are monitored by the entropy of their attention probabilities.
struct AttentionMonitoringTests {
    @Test func aTransformerRunLogsTheAttentionEntropyOfEachAttentionLayer() throws {
        let model = try Fixture.model("mha-self-causal")
        let writer = RunLogWriter()
        let observer = try HealthMonitorObserver(model: model, log: writer, options: .everything)
        var rng = SeededRNG(seed: 7)
        let count = 24
        let inputs = (0..<(count * 6 * 8)).map { _ in Double.random(in: -1...1, using: &rng) }
        let data = Dataset(sampleShape: [6, 8], inputs: inputs, targetShape: [1],
                           targets: (0..<count).map { Double($0 % 3) }, targetsAreLabels: true)
        let config = TrainingConfiguration(epochs: 2, batchSize: 8, validationSplit: 0, seed: 3)
        let trainer = try Trainer<Double>(model: model, configuration: config)
        trainer.observers = [observer]
        let result = try trainer.fit(train: data)
        #expect(result.status == .completed)
        #expect(observer.error == nil)

        let log = try RunLog.parse(writer.text)
        let mha = try #require(model.layers.first { $0 is MultiHeadAttentionLayer })
        #expect(log.start?.layers.first { $0.name == mha.name } == RunLayer(name: mha.name, activation: .attention(causal: true), units: 6))
        #expect(log.steps.count == 6)
        for step in log.steps {
            let stats = try #require(step.layers.first { $0.name == mha.name })
            let h = try #require(stats.attentionEntropy)
            // Freshly initialised attention is spread out: near 1, and never past the bounds.
            #expect(h > 0.5 && h <= 1, "step \(step.step): \(h)")
            #expect(stats.mean == nil)
            // The other layers keep their output statistics.
            #expect(step.layers.contains { $0.name != mha.name && $0.mean != nil })
        }
    }

    @Test func theEntropyIsThatOfTheLayersOwnProbabilities() throws {
        // One step, no update: the logged entropy equals the one computed here from the
        // layer's probabilities on the same weights and batch.
        let model = try Fixture.model("mha-self-causal")
        let writer = RunLogWriter()
        let observer = try HealthMonitorObserver(model: model, log: writer, options: .everything)
        var rng = SeededRNG(seed: 11)
        let inputs = (0..<(4 * 6 * 8)).map { _ in Double.random(in: -2...2, using: &rng) }
        let data = Dataset(sampleShape: [6, 8], inputs: inputs, targetShape: [1], targets: [0, 1, 2, 0],
                           targetsAreLabels: true)
        var config = TrainingConfiguration(epochs: 1, batchSize: 4, validationSplit: 0, seed: 5)
        config.shuffle = false
        let trainer = try Trainer<Double>(model: model, configuration: config)
        let weights = trainer.values
        trainer.observers = [observer]
        _ = try trainer.fit(train: data)
        let logged = try #require(RunLog.parse(writer.text).steps.first?.layers.first { $0.attentionEntropy != nil })

        let layer = try #require(model.layers.first as? MultiHeadAttentionLayer)
        let tape = Tape<Double>(recording: false)
        let x = tape.constant(try Tensor<Double>(shape: [4, 6, 8], scalars: inputs))
        let p = tape.value(layer.attention(query: x, value: x, parameters: weights[model.parameterRanges[0]].map { tape.constant($0) },
                                           on: tape).probabilities).scalars
        // Rows of 6 keys; query i sees i + 1 of them.
        var total = 0.0, rows = 0
        for r in 0..<(p.count / 6) {
            let visible = r % 6 + 1
            guard visible > 1 else { continue }
            let h = (0..<visible).reduce(0.0) { s, j in let v = p[r * 6 + j]; return v > 0 ? s - v * log(v) : s }
            total += h / log(Double(visible))
            rows += 1
        }
        #expect(abs(try #require(logged.attentionEntropy) - total / Double(rows)) < 1e-12)
    }
}
