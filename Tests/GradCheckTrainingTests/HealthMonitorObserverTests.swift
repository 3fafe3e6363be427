import Foundation
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
