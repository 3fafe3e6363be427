import Foundation
import GradCheckNN
import GradCheckTensor
import Testing
import GradCheckTraining

/// The time estimate `train` and `clip-lab` print before a long run.
struct TrainingEstimateTests {
    @Test func countsTheStepsTheRunTakes() throws {
        let model = try Fixture.model(json: Fixture.mlpJSON(inputs: 4))
        // 90 samples, 20% validation: 72 training (⌈72/16⌉ = 5 steps an epoch), 18 validation (2 batches).
        let data = PreparedData(Fixture.blobs(count: 90), validationSplit: 0.2, seed: 4)
        let config = TrainingConfiguration(epochs: 7, batchSize: 16, seed: 1)
        let e = TrainingEstimate.measure(model: model, configuration: config, data: data, runs: 6, parallel: 4, as: Float.self)
        #expect(e.stepsPerRun == 35)
        #expect(e.evaluationBatchesPerRun == 14)
        #expect(e.runs == 6 && e.parallel == 4)
        #expect(e.totalSteps == 210)
        #expect(e.secondsPerStep > 0 && e.secondsPerStep < 1)
        // Six runs, four at a time: two waves of (35 + 14/3) steps each.
        #expect(abs(e.seconds - 2 * (35 + 14.0 / 3) * e.secondsPerStep) <= 1e-12 * e.seconds)
    }

    @Test func measuringLeavesTheRunUnchanged() throws {
        let model = try Fixture.model(json: Fixture.mlpJSON(inputs: 4))
        let data = PreparedData(Fixture.blobs(count: 60), validationSplit: 0.2, seed: 2)
        let config = TrainingConfiguration(epochs: 2, batchSize: 8, seed: 9)
        func run() throws -> [Double] {
            let result = try Trainer<Float>(model: model, configuration: config).fit(data)
            return result.history.map(\.metrics.loss)
        }
        let before = try run()
        _ = TrainingEstimate.measure(model: model, configuration: config, data: data, as: Float.self)
        #expect(try run() == before)
    }

    @Test func hugeCountsDoNotOverflow() throws {
        let model = try Fixture.model(json: Fixture.mlpJSON(inputs: 4))
        let data = PreparedData(Fixture.blobs(count: 30), validationSplit: 0, seed: 2)
        let config = TrainingConfiguration(epochs: Int.max / 2, batchSize: 1, seed: 9)
        let e = TrainingEstimate.measure(model: model, configuration: config, data: data, runs: Int.max / 3, as: Double.self)
        #expect(e.stepsPerRun == Int.max)
        #expect(e.totalSteps == Int.max)
        #expect(e.seconds > 1e12)
    }
}
