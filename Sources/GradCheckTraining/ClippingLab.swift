import Foundation
import GradCheckClipping
import GradCheckNN
import GradCheckTensor

/// The clipping lab: the same training run under several clipping policies and seeds,
/// summarised per policy (`gradcheck clip-lab`, FORMATS.md §4).
///
/// Every (policy, seed) run trains the same model on the same split of the data. A seed
/// chooses the initial weights, the order of each epoch and the dropout masks, so for a
/// given seed every policy starts from the same weights and sees the same batches; only
/// the clipping differs. The optimiser's own Keras clipping keys are dropped, so the
/// policy under test is the only clipping.
///
/// ```swift
/// let lab = ClippingLab(model: model, data: prepared, configuration: .init(
///     training: TrainingConfiguration(spec.training),
///     policies: try ClipperParser.parseList("none,value:1,global_norm:1"), seedCount: 5))
/// let result = try lab.run()
/// print(result.text())
/// ```
public struct ClippingLab: Sendable {
    /// What the lab runs.
    public struct Configuration: Sendable, Equatable {
        /// The base training configuration (optimiser, epochs, batch size, ...); its
        /// clipping is replaced by each policy and its seed by each run's seed.
        public var training: TrainingConfiguration
        /// The policies, in the order of the table.
        public var policies: [ClippingSpec]
        /// The seeds of the runs: `firstSeed`, `firstSeed + 1`, ...
        public var seedCount: Int
        /// The first seed (by default the training configuration's seed).
        public var firstSeed: UInt64
        /// The loss whose first crossing the table reports (in steps); `nil` chooses the
        /// median final loss of the runs that did not diverge.
        public var targetLoss: Double?
        /// Batch losses averaged (trailing window) for the loss curves and the step at
        /// which the target loss is reached: min(this, steps per epoch).
        public var smoothingWindow: Int
        /// Whether runs go in parallel on the available cores (the numbers do not change).
        public var parallel: Bool
        /// With ``parallel``, the most runs at once (`nil`: one per core).
        public var threads: Int? = nil

        /// A configuration; see the properties.
        public init(training: TrainingConfiguration, policies: [ClippingSpec], seedCount: Int = 5,
                    firstSeed: UInt64? = nil, targetLoss: Double? = nil, smoothingWindow: Int = 10,
                    parallel: Bool = true) {
            self.training = training
            self.policies = policies
            self.seedCount = seedCount
            self.firstSeed = firstSeed ?? training.seed
            self.targetLoss = targetLoss
            self.smoothingWindow = smoothingWindow
            self.parallel = parallel
        }

        /// The seeds of the runs.
        public var seeds: [UInt64] { (0..<Swift.max(seedCount, 0)).map { firstSeed &+ UInt64($0) } }
    }

    /// The model.
    public let model: Model
    /// The split, standardised data (the same for every run).
    public let data: PreparedData
    /// What to run.
    public let configuration: Configuration

    /// A lab for `model` on `data`.
    public init(model: Model, data: PreparedData, configuration: Configuration) {
        self.model = model
        self.data = data
        self.configuration = configuration
    }

    /// Runs every (policy, seed) pair in `Float` and summarises them per policy.
    ///
    /// - Parameter progress: called after each finished run (from any thread) with the
    ///   number finished and the total.
    /// - Throws: ``TrainingError`` for a configuration out of range, no policy or no
    ///   seed, or data that do not fit the model (not for a run that diverges: that is a
    ///   result).
    public func run(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ClippingLabResult {
        guard !configuration.policies.isEmpty else { throw TrainingError("clip-lab: no clipping policy given") }
        guard configuration.seedCount > 0 else { throw TrainingError("clip-lab: seeds must be at least 1, got \(configuration.seedCount)") }
        if let t = configuration.targetLoss, !t.isFinite { throw TrainingError("clip-lab: the target loss must be finite, got \(t)") }
        guard data.train.count > 0 else { throw TrainingError("clip-lab: the training data are empty") }
        let seeds = configuration.seeds
        let policies = configuration.policies
        // The lab is the sweep preset "clipping policies × seeds": one axis, one hold-out split.
        let trials = Self.plan(policies: policies, seeds: seeds).trials
        // Check the configuration and the data once, on the calling thread.
        _ = try Trainer<Float>(model: model, configuration: runConfiguration(policies[0], seeds[0]))
        let box = ResultBox<Result<ClippingLabRun, any Error>>(count: trials.count)
        SweepExecutor.run(count: trials.count, threads: configuration.parallel ? Swift.max(1, configuration.threads ?? SweepExecutor.defaultThreads) : 1, { [self] i in
            let trial = trials[i]
            return Result { try self.runOne(policy: policies[trial.configuration], seed: trial.seed) }
        }, finished: { i, outcome in
            let done = box.store(outcome, at: i)
            progress?(done, trials.count)
        })
        var runs: [ClippingLabRun] = []
        for r in box.results { runs.append(try r!.get()) }
        let window = smoothingWindow
        let finite = runs.filter { !$0.diverged }.map(\.finalLoss).filter(\.isFinite)
        let target = configuration.targetLoss ?? ClipTelemetrySummary.median(finite)
        let summaries = policies.indices.map { p in
            ClippingLabPolicySummary(policy: policies[p], runs: Array(runs[(p * seeds.count)..<((p + 1) * seeds.count)]),
                                     targetLoss: target, window: window)
        }
        return ClippingLabResult(
            modelName: model.name, configuration: configuration, seeds: seeds,
            trainingSamples: data.train.count, validationSamples: data.validation.count,
            metricSource: data.validation.count > 0 ? "validation" : "training",
            targetLoss: target, targetLossGiven: configuration.targetLoss != nil, smoothingWindow: window,
            policies: summaries)
    }

    /// The sweep plan of the lab: the `clipping` axis over `policies` × `seeds`, on one
    /// hold-out split; trial `p · seeds.count + s` is policy `p` with seed `s`.
    public static func plan(policies: [ClippingSpec], seeds: [UInt64]) -> SweepPlan {
        SweepPlan(axes: [SweepAxis(key: SweepAxis.clippingKey, values: policies.map(SweepValue.clipping))], seeds: seeds)
    }

    /// The smoothing window in steps.
    var smoothingWindow: Int {
        let steps = (data.train.count + configuration.training.batchSize - 1) / Swift.max(configuration.training.batchSize, 1)
        return Swift.max(1, Swift.min(configuration.smoothingWindow, steps))
    }

    func runConfiguration(_ policy: ClippingSpec, _ seed: UInt64) -> TrainingConfiguration {
        var c = configuration.training
        c.clipping = policy
        c.optimizer.kerasClipping = nil
        c.seed = seed
        c.earlyStopping = nil
        return c
    }

    /// One run: `policy` from the initial weights of `seed`.
    public func runOne(policy: ClippingSpec, seed: UInt64) throws -> ClippingLabRun {
        let recorder = LabRecorder()
        let outcome = try SweepExecutor.train(model: model, configuration: runConfiguration(policy, seed), data: data,
                                              observers: [recorder])
        let status = outcome.status
        let history = outcome.history
        let useValidation = data.validation.count > 0
        let losses = history.map { useValidation ? ($0.metrics.validationLoss ?? .nan) : $0.metrics.loss }
        let accuracies = history.compactMap { useValidation ? $0.metrics.validationAccuracy : $0.metrics.accuracy }
        let initial = recorder.losses.first ?? .nan
        let finalTrain = history.last?.metrics.loss ?? .nan
        let stoppedEarly = history.count < configuration.training.epochs
        let diverged = status == .diverged || stoppedEarly || !finalTrain.isFinite
            || !(losses.last ?? .nan).isFinite || (initial.isFinite && finalTrain > initial)
        let finalLoss = diverged ? Double.infinity : losses.last!
        let classifier: Bool
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy, .categoricalCrossentropy, .binaryCrossentropy: classifier = true
        default: classifier = false
        }
        let finiteLosses = losses.filter(\.isFinite)
        return ClippingLabRun(
            policy: policy, seed: seed, status: status, diverged: diverged,
            finalLoss: finalLoss, bestLoss: finiteLosses.min() ?? .infinity,
            finalAccuracy: classifier ? (diverged ? 0 : accuracies.last) : nil,
            bestAccuracy: classifier ? (accuracies.max() ?? 0) : nil,
            stepLosses: recorder.losses, telemetry: recorder.telemetry, initialLoss: initial,
            minTensorCosine: recorder.minTensorCosine)
    }
}

/// One (policy, seed) run of the lab.
public struct ClippingLabRun: Sendable {
    /// The policy.
    public var policy: ClippingSpec
    /// The seed (initial weights, shuffling, dropout).
    public var seed: UInt64
    /// How the run ended.
    public var status: TrainingStatus
    /// Whether the run diverged: a non-finite loss or gradient stopped it, or it ended
    /// with a training loss above its first step's loss.
    public var diverged: Bool
    /// The last epoch's loss (validation loss when the data have a validation part,
    /// else the training loss); +inf for a diverged run.
    public var finalLoss: Double
    /// The lowest epoch loss (same source), +inf when no epoch finished with a finite one.
    public var bestLoss: Double
    /// The last epoch's accuracy (0 for a diverged run), `nil` for regression.
    public var finalAccuracy: Double?
    /// The best epoch accuracy.
    public var bestAccuracy: Double?
    /// The batch loss of every step, in order.
    public var stepLosses: [Double]
    /// The clipping telemetry of every step, in order.
    public var telemetry: [ClipTelemetry]
    /// The loss of the first step (the untrained model's batch loss).
    public var initialLoss: Double
    /// The smallest cosine between a tensor's clipped and raw gradient over the steps
    /// where the policy triggered (NaN when it never did): 1 up to rounding when every
    /// tensor kept its direction (`norm`, `global_norm`, `autoclip`, `zclip`).
    public var minTensorCosine: Double

    /// The trailing mean of `window` batch losses at every step (NaN and inf carry).
    public func smoothedLosses(window: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(stepLosses.count)
        var sum = 0.0
        var bad = 0
        for (i, l) in stepLosses.enumerated() {
            if l.isFinite { sum += l } else { bad += 1 }
            if i >= window {
                let old = stepLosses[i - window]
                if old.isFinite { sum -= old } else { bad -= 1 }
            }
            out.append(bad > 0 ? .infinity : sum / Double(Swift.min(i + 1, window)))
        }
        return out
    }

    /// The first step at which the smoothed loss is at or below `target`, `nil` if never.
    public func stepsToReach(_ target: Double, window: Int) -> Int? {
        guard !diverged else { return nil }
        return smoothedLosses(window: window).firstIndex { $0 <= target }.map { $0 + 1 }
    }
}

/// A median with its spread over seeds.
public struct LabStatistic: Sendable, Equatable {
    /// The median (an even count averages the two middle values); NaN with no values.
    public var median: Double
    /// The smallest value.
    public var min: Double
    /// The largest value.
    public var max: Double

    /// The statistic of `values` (non-finite values count: +inf for diverged runs).
    public init(_ values: [Double]) {
        let v = values.filter { !$0.isNaN }.sorted()
        if v.isEmpty {
            median = .nan; min = .nan; max = .nan
        } else {
            let mid = v.count / 2
            median = v.count % 2 == 1 ? v[mid] : (v[mid - 1] == v[mid] ? v[mid] : (v[mid - 1] + v[mid]) / 2)
            min = v.first!
            max = v.last!
        }
    }
}

/// One policy's row of the lab's table.
public struct ClippingLabPolicySummary: Sendable {
    /// The policy.
    public var policy: ClippingSpec
    /// Its CLI text (`global_norm:1`).
    public var name: String
    /// The runs, one per seed.
    public var runs: [ClippingLabRun]
    /// How many seeds diverged.
    public var diverged: Int
    /// Final loss over seeds (diverged seeds count as +inf).
    public var finalLoss: LabStatistic
    /// Best loss over seeds.
    public var bestLoss: LabStatistic
    /// Final accuracy over seeds (diverged seeds count as 0); `nil` for regression.
    public var finalAccuracy: LabStatistic?
    /// Best accuracy over seeds.
    public var bestAccuracy: LabStatistic?
    /// The telemetry of every step of every seed, pooled.
    public var telemetry: ClipTelemetrySummary
    /// The smallest per-tensor cosine to the raw gradient over every seed's triggered
    /// steps (NaN when the policy never triggered).
    public var minTensorCosine: Double {
        runs.map(\.minTensorCosine).filter { !$0.isNaN }.min() ?? .nan
    }
    /// Steps until the smoothed loss first reaches the target, per seed (`nil`: never).
    public var stepsToTarget: [Int?]
    /// The median of ``stepsToTarget`` (never counts as infinitely many); `nil` when
    /// more than half the seeds never reach it.
    public var medianStepsToTarget: Double?
    /// The median over seeds of the smoothed loss at each step (a seed that stopped
    /// counts as +inf from then on).
    public var medianLossCurve: [Double]

    init(policy: ClippingSpec, runs: [ClippingLabRun], targetLoss: Double, window: Int) {
        self.policy = policy
        name = ClipperParser.text(of: policy)
        self.runs = runs
        diverged = runs.filter(\.diverged).count
        finalLoss = LabStatistic(runs.map(\.finalLoss))
        bestLoss = LabStatistic(runs.map(\.bestLoss))
        let accuracies = runs.compactMap(\.finalAccuracy)
        finalAccuracy = accuracies.isEmpty ? nil : LabStatistic(accuracies)
        let best = runs.compactMap(\.bestAccuracy)
        bestAccuracy = best.isEmpty ? nil : LabStatistic(best)
        telemetry = ClipTelemetrySummary(runs.flatMap(\.telemetry))
        stepsToTarget = targetLoss.isFinite ? runs.map { $0.stepsToReach(targetLoss, window: window) } : runs.map { _ in nil }
        let m = LabStatistic(stepsToTarget.map { $0.map(Double.init) ?? .infinity }).median
        medianStepsToTarget = m.isFinite ? m : nil
        let curves = runs.map { $0.smoothedLosses(window: window) }
        let length = curves.map(\.count).max() ?? 0
        medianLossCurve = (0..<length).map { i in LabStatistic(curves.map { i < $0.count ? $0[i] : .infinity }).median }
    }
}

/// What ``ClippingLab/run(progress:)`` returns; render it with ``text()``,
/// ``markdown()``, ``json()`` or ``html()``.
public struct ClippingLabResult: Sendable {
    /// The model's name.
    public var modelName: String
    /// What was run.
    public var configuration: ClippingLab.Configuration
    /// The seeds.
    public var seeds: [UInt64]
    /// Samples in the training and validation parts.
    public var trainingSamples: Int
    /// Samples in the validation part (0 without one).
    public var validationSamples: Int
    /// Where the loss and accuracy columns come from: `validation` or `training`.
    public var metricSource: String
    /// The target loss of the steps column.
    public var targetLoss: Double
    /// Whether the target was given (else the median final loss of the runs that did not diverge).
    public var targetLossGiven: Bool
    /// The trailing window (steps) of the smoothed losses.
    public var smoothingWindow: Int
    /// One summary per policy, in the order given.
    public var policies: [ClippingLabPolicySummary]

    /// The summary of the policy named `name` (CLI text, e.g. `value:1`).
    public func policy(_ name: String) -> ClippingLabPolicySummary? { policies.first { $0.name == name } }
}

/// Records the batch loss and clipping telemetry of each step.
final class LabRecorder: TrainingObserver {
    var losses: [Double] = []
    var telemetry: [ClipTelemetry] = []

    /// The smallest per-tensor cosine between clipped and raw gradient, over the
    /// triggered steps (NaN until one triggers; zero raw tensors are left out).
    var minTensorCosine = Double.nan

    func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision {
        losses.append(step.loss)
        telemetry.append(step.clipping)
        if step.clipping.triggered {
            for (raw, clipped) in zip(step.gradients, step.clippedGradients) {
                let (dot, rr, cc): (Double, Double, Double)
                if let a = raw.scalars as? [Float], let b = clipped.scalars as? [Float] {
                    (dot, rr, cc) = Self.products(a, b)
                } else if let a = raw.scalars as? [Double], let b = clipped.scalars as? [Double] {
                    (dot, rr, cc) = Self.products(a, b)
                } else {
                    (dot, rr, cc) = Self.products(raw.scalars.map { Double($0) }, clipped.scalars.map { Double($0) })
                }
                guard rr > 0, rr.isFinite, cc.isFinite else { continue }
                let c = cc > 0 ? dot / (rr.squareRoot() * cc.squareRoot()) : 0
                if minTensorCosine.isNaN || c < minTensorCosine { minTensorCosine = c }
            }
        }
        return .proceed
    }

    /// x·y, x·x and y·y in Double.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func products<T: BinaryFloatingPoint>(_ x: [T], _ y: [T]) -> (Double, Double, Double) {
        var dot = 0.0, xx = 0.0, yy = 0.0
        for i in 0..<Swift.min(x.count, y.count) {
            let a = Double(x[i]), b = Double(y[i])
            dot += a * b
            xx += a * a
            yy += b * b
        }
        return (dot, xx, yy)
    }
}

/// Results filled in from several threads, one slot per job.
///
/// `@unchecked Sendable` is safe: `results` and `done` are only written under `lock`, and
/// `results` is read after every worker has finished.
final class ResultBox<R>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var results: [R?]
    private var done = 0

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func store(_ r: R, at i: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        results[i] = r
        done += 1
        return done
    }
}
