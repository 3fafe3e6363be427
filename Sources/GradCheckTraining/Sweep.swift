import Foundation
import GradCheckHealth
import GradCheckNN

/// A hyperparameter sweep (`gradcheck sweep`): every configuration of a grid of spec
/// overrides, trained with several seeds on the folds of a cross-validation, each trial
/// watched by the health monitor, ranked by a validation metric.
///
/// Like scikit-learn's `GridSearchCV` (with `KFold`), every configuration sees the same
/// folds, and its score is the mean over its trials; unlike it, each trial also records
/// whether it diverged and the health verdict of its gradients (``HealthMonitor`` on
/// every step), so the table says which settings train without vanishing or exploding.
///
/// Trials run in parallel in this process on ``threads`` workers and share the dataset.
/// With a results file, each finished trial is appended as a line at once, and a sweep
/// started again on the same file skips the trials already there.
///
/// ```swift
/// let sweep = try Sweep(spec: spec, dataset: dataset, plan: SweepPlan(axes: [
///     try SweepAxis.parse("optimizer.learning_rate=1e-3,1e-2,1e-1")], seeds: [0, 1], folds: 5))
/// let result = try sweep.run(resultsFile: "sweep.jsonl")
/// print(result.text())
/// ```
public struct Sweep: Sendable {
    /// The base spec.
    public let spec: ModelSpec
    /// The file the spec came from (for error messages).
    public let specFile: String?
    /// The plan.
    public let plan: SweepPlan
    /// Each configuration's spec, with its overrides applied and validated.
    public let specs: [ModelSpec]
    /// Each configuration's model.
    public let models: [Model]
    /// Each configuration's training configuration (its seed is replaced per trial).
    public let configurations: [TrainingConfiguration]
    /// The data of each fold (one hold-out split when the plan has one fold),
    /// standardised with that fold's training statistics.
    public let folds: [PreparedData]
    /// The metric.
    public let metric: SweepMetric
    /// The seed of the split or fold shuffle.
    public let splitSeed: UInt64
    /// The hold-out fraction (plan with one fold).
    public let validationSplit: Double
    /// Worker threads.
    public var threads: Int
    /// The shard of the trials this process runs (`nil`: all).
    public var shard: SweepShard?

    /// Prepares a sweep: applies and validates every configuration's overrides and
    /// splits the data once.
    ///
    /// - Parameters:
    ///   - epochs: overrides every configuration's `epochs` when given.
    ///   - splitSeed: the seed of the folds (scikit-learn `KFold(shuffle=True, random_state=)`)
    ///     or of the hold-out split; default the spec's seed, else 0.
    ///   - validationSplit: the hold-out fraction with one fold; default the spec's
    ///     `validation_split`, else 0.2.
    /// - Throws: ``SweepError`` for an override the spec rejects (naming the key and the
    ///   JSON path), folds that do not fit the data, or data that do not fit a model.
    public init(spec: ModelSpec, specFile: String? = nil, dataset: Dataset, plan: SweepPlan, epochs: Int? = nil,
                splitSeed: UInt64? = nil, validationSplit: Double? = nil,
                threads: Int = SweepExecutor.defaultThreads, shard: SweepShard? = nil) throws(SweepError) {
        guard !plan.seeds.isEmpty else { throw SweepError("--seeds: expected at least 1 seed") }
        guard plan.folds >= 1 else { throw SweepError("--folds: expected at least 2 folds (or 1 for a hold-out split), got \(plan.folds)") }
        if let r = plan.randomCount, r < 1 { throw SweepError("--random: expected at least 1 configuration, got \(r)") }
        self.spec = spec
        self.specFile = specFile
        self.plan = plan
        var specs: [ModelSpec] = []
        var models: [Model] = []
        var configurations: [TrainingConfiguration] = []
        for values in plan.configurations {
            let s = try SweepOverride.spec(spec, point: Array(zip(plan.axes.map(\.key), values)).map { (key: $0.0, value: $0.1) },
                                           file: specFile)
            let model: Model
            do {
                model = try Model(spec: s, file: specFile)
            } catch {
                throw SweepError("\(error)")
            }
            var c = TrainingConfiguration(s.training)
            if let epochs { c.epochs = epochs }
            c.validationSplit = 0
            do {
                _ = try Trainer<Float>(model: model, configuration: c)
            } catch {
                throw SweepError("configuration \(Self.describe(plan.axes, values)): \(error)")
            }
            specs.append(s)
            models.append(model)
            configurations.append(c)
        }
        self.specs = specs
        self.models = models
        self.configurations = configurations
        let seed = splitSeed ?? spec.training?.seed ?? 0
        self.splitSeed = seed
        let holdout = validationSplit ?? spec.training?.validationSplit ?? 0.2
        self.validationSplit = holdout
        if plan.folds >= 2 {
            let folds = try SweepFolds(count: dataset.count, k: plan.folds, shuffle: true, seed: seed)
            self.folds = folds.folds.map { f in
                let train = dataset.subset(f.train), validation = dataset.subset(f.validation)
                let s = train.standardizer()
                return PreparedData(train: train.standardized(with: s), validation: validation.standardized(with: s), standardizer: s)
            }
        } else {
            guard holdout >= 0 && holdout < 1 else { throw SweepError("validation_split: expected a number in [0, 1), got \(holdout)") }
            self.folds = [PreparedData(dataset, validationSplit: holdout, seed: seed)]
        }
        for (k, f) in folds.enumerated() where f.train.count == 0 {
            throw SweepError("fold \(k): \(dataset.count) samples leave none for training")
        }
        for (m, c) in zip(models, configurations) {
            do {
                try Trainer<Float>(model: m, configuration: c).check(folds[0].train, name: "the data")
            } catch {
                throw SweepError("\(error)")
            }
        }
        metric = SweepMetric(model: models[0], validation: folds[0].validation.count > 0)
        self.threads = threads
        self.shard = shard
    }

    /// `key=value, key=value`.
    static func describe(_ axes: [SweepAxis], _ values: [SweepValue]) -> String {
        zip(axes, values).map { "\($0.key)=\($1.text)" }.joined(separator: ", ")
    }

    /// The header of this sweep's results file.
    public var header: SweepHeader {
        SweepHeader(spec: spec, plan: plan, metric: metric, splitSeed: splitSeed, validationSplit: validationSplit, shard: shard)
    }

    /// The trials this process runs (the shard's, or all).
    public var trials: [SweepTrial] {
        let all = plan.trials
        guard let shard else { return all }
        return all.filter { shard.contains($0.index) }
    }

    /// Runs the trials not yet in `resultsFile` (all of them without one) and returns
    /// the result over every finished trial.
    ///
    /// - Parameters:
    ///   - resultsFile: a JSON Lines file: created with its header when absent, resumed
    ///     when it holds this sweep's header (a torn last line is dropped first).
    ///   - progress: called after each finished trial (from a worker thread) with it,
    ///     the number finished in this call and the number this call runs.
    /// - Throws: ``SweepError`` for a results file of another sweep or one that cannot be
    ///   written; ``TrainingError`` when a trial cannot start.
    public func run(resultsFile: String? = nil,
                    progress: (@Sendable (SweepTrialResult, Int, Int) -> Void)? = nil) throws -> SweepResult {
        var finished: [SweepTrialResult] = []
        var appender: SweepResultsAppender?
        if let resultsFile {
            if FileManager.default.fileExists(atPath: resultsFile) {
                let contents = try SweepResultsFile.load(path: resultsFile)
                guard contents.header == header else {
                    throw SweepError("\(resultsFile): the results file is from another sweep (its spec, grid, seeds, folds, split or shard differ); give a new --results file")
                }
                finished = contents.results
                if contents.tornLastLine {
                    try SweepResultsFile.write(header: header, results: finished, to: resultsFile)
                }
            } else {
                try SweepResultsFile.write(header: header, results: [], to: resultsFile)
            }
            appender = try SweepResultsAppender(path: resultsFile)
        }
        let sink = appender
        let done = Set(finished.map(\.trial.index))
        let todo = trials.filter { !done.contains($0.index) }
        let box = ResultBox<Result<SweepTrialResult, any Error>>(count: todo.count)
        SweepExecutor.run(count: todo.count, threads: threads, { [self] i in
            Result { try self.runTrial(todo[i]) }
        }, finished: { i, outcome in
            let n = box.store(outcome, at: i)
            if case let .success(r) = outcome {
                sink?.append(r)
                progress?(r, n, todo.count)
            }
        })
        appender?.close()
        if let error = appender?.error { throw error }
        for r in box.results { finished.append(try r!.get()) }
        finished.sort { $0.trial.index < $1.trial.index }
        return SweepResult(header: header, results: finished)
    }

    /// Runs one trial: a fresh trainer with the trial's seed on its fold, the health
    /// monitor on every step (in memory), then the metric and the verdict.
    ///
    /// - Throws: ``TrainingError`` when the trial cannot start.
    public func runTrial(_ trial: SweepTrial) throws -> SweepTrialResult {
        let model = models[trial.configuration]
        var c = configurations[trial.configuration]
        c.seed = trial.seed
        let data = folds[trial.fold]
        let health = try HealthMonitorObserver(model: model, stopsOnNonFinite: true)
        let outcome = try SweepExecutor.train(model: model, configuration: c, data: data, observers: [health])
        let report = health.monitor.report()
        let last = outcome.history.last?.metrics
        let findings = report.findings.sorted { $0.severity > $1.severity }.map(\.kind)
        var kinds: [String] = []
        for k in findings where !kinds.contains(k.rawValue) { kinds.append(k.rawValue) }
        let trainLoss = last?.loss ?? .nan
        let validation = data.validation.count > 0
        let raw: Double? = {
            switch metric.name {
            case "val_accuracy": return last?.validationAccuracy
            case "val_loss": return last?.validationLoss
            case "accuracy": return last?.accuracy
            default: return last?.loss
            }
        }()
        let diverged = outcome.status == .diverged || !trainLoss.isFinite
            || (validation && !(last?.validationLoss ?? .nan).isFinite)
            || findings.contains(.lossDivergence) || findings.contains(.nonfinite)
        let metricValue = diverged ? metric.worst : (raw ?? metric.worst)
        return SweepTrialResult(
            trial: trial, values: plan.configurations[trial.configuration], status: outcome.status, diverged: diverged,
            metric: metricValue, validationLoss: last?.validationLoss, validationAccuracy: last?.validationAccuracy,
            trainLoss: trainLoss, trainAccuracy: last?.accuracy, verdict: report.verdict, findings: kinds,
            epochs: outcome.history.count, steps: outcome.steps, seconds: outcome.seconds)
    }
}
