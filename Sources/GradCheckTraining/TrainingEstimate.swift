import Foundation
import GradCheckNN
import GradCheckTensor

/// What a training run (or a set of runs) will cost, measured before it starts.
///
/// One training step (forward, backward, clipping and the optimiser's update) on a full
/// batch of the real data is timed on a throwaway ``Trainer``, and multiplied by the steps the run takes: epochs ×
/// ⌈training samples / batch size⌉, plus a third of a step for each forward-only
/// validation batch. Early stopping can only shorten a run, so the figure is an upper
/// estimate of the work; the machine's other load can lengthen it.
///
/// ```swift
/// let estimate = TrainingEstimate.measure(model: model, configuration: config, data: prepared, as: Float.self)
/// if estimate.seconds > 30 { print("about \(Int(estimate.seconds)) s") }
/// ```
public struct TrainingEstimate: Sendable, Equatable {
    /// Optimiser steps in one run: epochs × ⌈training samples / batch size⌉.
    public var stepsPerRun: Int
    /// Forward-only validation batches in one run (once an epoch).
    public var evaluationBatchesPerRun: Int
    /// How many runs there are (1 for one training run; policies × seeds for a lab).
    public var runs: Int
    /// How many runs go at the same time (at least 1).
    public var parallel: Int
    /// The measured seconds of one training step on a full batch (the median of a few).
    public var secondsPerStep: Double

    /// Creates an estimate from its parts.
    public init(stepsPerRun: Int, evaluationBatchesPerRun: Int, runs: Int, parallel: Int, secondsPerStep: Double) {
        self.stepsPerRun = stepsPerRun
        self.evaluationBatchesPerRun = evaluationBatchesPerRun
        self.runs = runs
        self.parallel = parallel
        self.secondsPerStep = secondsPerStep
    }

    /// The steps of every run together.
    public var totalSteps: Int { stepsPerRun.multipliedReportingOverflow(by: runs).overflow ? Int.max : stepsPerRun * runs }

    /// The estimated wall-clock seconds of all runs: the steps (and a third of a step per
    /// validation batch) of every run, times the measured step time, shared among the
    /// runs that go at the same time.
    public var seconds: Double {
        let perRun = (Double(stepsPerRun) + Double(evaluationBatchesPerRun) / 3) * secondsPerStep
        let waves = (Double(runs) / Double(Swift.max(1, parallel))).rounded(.up)
        return perRun * waves
    }

    /// Measures one training step of `model` on the first batch of `data.train` and
    /// counts the steps that `configuration` asks for.
    ///
    /// The steps run on a separate ``Trainer`` built from the same configuration, so the
    /// run that follows is unchanged (same initial weights, same batches, same results).
    /// Cost: `repeats + 1` steps on one batch; the figure is 0 when the configuration
    /// is out of range (the run itself reports why).
    ///
    /// - Parameters:
    ///   - model: The model to train.
    ///   - configuration: Epochs, batch size and the rest of the run.
    ///   - data: The split data; an empty training set gives a zero estimate.
    ///   - runs: How many such runs there are.
    ///   - parallel: How many run at once.
    ///   - repeats: Timed steps after a first untimed one; their median counts.
    public static func measure<S: TensorScalar>(model: Model, configuration: TrainingConfiguration, data: PreparedData,
                                                runs: Int = 1, parallel: Int = 1, repeats: Int = 3,
                                                as _: S.Type) -> TrainingEstimate {
        let train = data.train
        let batchSize = Swift.max(1, configuration.batchSize)
        let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
        let evaluationBatches = (data.validation.count + batchSize - 1) / batchSize
        let epochs = Swift.max(0, configuration.epochs)
        func times(_ a: Int, _ b: Int) -> Int { a.multipliedReportingOverflow(by: b).overflow ? Int.max : a * b }
        var estimate = TrainingEstimate(stepsPerRun: times(stepsPerEpoch, epochs),
                                        evaluationBatchesPerRun: times(evaluationBatches, epochs),
                                        runs: Swift.max(1, runs), parallel: Swift.max(1, parallel), secondsPerStep: 0)
        guard train.count > 0, let trainer = try? Trainer<S>(model: model, configuration: configuration) else { return estimate }
        let batch = ScalarData<S>(train).batch(Array(0..<Swift.min(batchSize, train.count))[...])
        var seconds: [Double] = []
        for _ in 0...Swift.max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            guard (try? trainer.step(inputs: batch.0, targets: batch.1)) != nil else { return estimate }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        // The first step pays for allocation; the median of the rest resists a busy moment.
        let timed = seconds.dropFirst().sorted()
        let best = timed[timed.count / 2]
        estimate.secondsPerStep = best
        return estimate
    }
}
