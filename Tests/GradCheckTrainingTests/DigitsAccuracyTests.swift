import Foundation
import GradCheckNN
import Testing
@testable import GradCheckTraining

/// The acceptance run: `digits-mlp` (64 inputs, dense 64-32-10 relu/softmax, L2 0.01,
/// Adam with `clipnorm` 1, validation split 0.2, seed 42) on `Fixtures/data/digits.csv`.
struct DigitsAccuracyTests {
    @Test func digitsMLPReachesNinetyThreePercentValidationAccuracy() throws {
        let path = Fixture.spec("digits-mlp")
        let spec = try ModelSpec.load(path: path)
        let model = try Model(spec: spec, file: path)
        let csv = Fixture.dataset("digits.csv")
        let data = try Dataset(table: CSVTable.load(path: csv), model: model, file: csv)
        let config = TrainingConfiguration(spec.training)
        let prepared = PreparedData(data, validationSplit: config.validationSplit, seed: config.seed)
        #expect(prepared.train.count == 1438 && prepared.validation.count == 359)
        let trainer = try Trainer<Float>(model: model, configuration: config)
        let start = Date()
        let result = try trainer.fit(prepared)
        let seconds = Date().timeIntervalSince(start)
        let accuracy = try #require(result.finalMetrics?.validationAccuracy)
        print("digits-mlp: validation accuracy \(accuracy) after \(result.history.count) epochs, \(result.end.steps) steps, \(String(format: "%.2f", seconds)) s")
        #expect(result.status == .completed)
        #expect(accuracy >= 0.93)
    }
}
