import GradCheckNN
import Testing
@testable import GradCheckTraining

/// Keras 3's `EarlyStopping.on_epoch_end`, case by case.
struct EarlyStoppingTests {
    func run(_ spec: EarlyStoppingSpec, _ values: [Double?], metric: String = "val_loss") -> (stopAt: Int?, early: EarlyStopping) {
        var early = EarlyStopping(spec)
        for (i, v) in values.enumerated() {
            var m = EpochMetrics(loss: 1)
            switch metric {
            case "val_loss": m.validationLoss = v
            case "val_accuracy": m.validationAccuracy = v
            case "accuracy": m.accuracy = v
            default: m.loss = v ?? .nan
            }
            if early.update(epoch: i + 1, metrics: m) == .stop { return (i + 1, early) }
        }
        return (nil, early)
    }

    @Test func patienceZeroStopsAtTheFirstEpochWithoutImprovement() {
        let r = run(EarlyStoppingSpec(patience: 0), [1.0, 0.9, 0.95, 0.5])
        #expect(r.stopAt == 3)
        #expect(r.early.bestEpoch == 2)
        #expect(r.early.best == 0.9)
    }

    @Test func neverStopsAtTheFirstEpoch() {
        // Keras: `if self.wait >= self.patience and epoch > 0` (epochs from 0 there).
        let r = run(EarlyStoppingSpec(patience: 0), [.nan, .nan])
        #expect(r.stopAt == 2)
    }

    @Test func patienceCountsEpochsWithoutImprovement() {
        let r = run(EarlyStoppingSpec(patience: 2), [1.0, 1.1, 1.2, 0.8, 0.85, 0.9, 0.95])
        // 1.1 (wait 1), 1.2 (wait 2 → stop at epoch 3)
        #expect(r.stopAt == 3)
        let r2 = run(EarlyStoppingSpec(patience: 2), [1.0, 1.1, 0.8, 0.85, 0.9, 0.95])
        #expect(r2.stopAt == 5)
        #expect(r2.early.bestEpoch == 3)
    }

    @Test func minDeltaDemandsAClearImprovement() {
        // 0.995 is not below 1.0 − 0.01, so it does not count.
        let r = run(EarlyStoppingSpec(patience: 1, minDelta: 0.01), [1.0, 0.995, 0.98])
        #expect(r.stopAt == 2)
        let r2 = run(EarlyStoppingSpec(patience: 1, minDelta: 0.01), [1.0, 0.98, 0.975])
        #expect(r2.stopAt == 3)
        #expect(r2.early.best == 0.98)
    }

    @Test func accuraciesAreMaximised() {
        let spec = EarlyStoppingSpec(monitor: "val_accuracy", patience: 1, minDelta: 0.001)
        let r = run(spec, [0.5, 0.7, 0.7005, 0.9], metric: "val_accuracy")
        #expect(r.stopAt == 3)
        #expect(r.early.best == 0.7)
    }

    @Test func missingValuesAreSkipped() {
        var early = EarlyStopping(EarlyStoppingSpec(monitor: "val_loss", patience: 0))
        #expect(early.update(epoch: 1, metrics: EpochMetrics(loss: 1)) == .missingValue)
        #expect(early.wait == 0)
    }

    @Test func trainingLossMonitor() {
        let r = run(EarlyStoppingSpec(monitor: "loss", patience: 1), [3, 2, 2, 2], metric: "loss")
        #expect(r.stopAt == 3)
    }
}
