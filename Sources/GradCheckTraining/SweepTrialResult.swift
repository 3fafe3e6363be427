import GradCheckHealth
import GradCheckNN

/// What one trial of a sweep gave: its metric, whether it diverged, and the health
/// monitor's verdict on its steps. One line of a results file (``jsonValue``).
public struct SweepTrialResult: Sendable, Equatable {
    /// The trial (number, configuration, seed, fold).
    public var trial: SweepTrial
    /// The configuration's values, one per axis.
    public var values: [SweepValue]
    /// How the run ended.
    public var status: TrainingStatus
    /// Whether the run diverged: a non-finite loss, gradient or metric stopped or ended
    /// it, or the health report found `loss_divergence` or `nonfinite`.
    public var diverged: Bool
    /// The metric the sweep ranks by (``SweepMetric``) at the last epoch; its worst value
    /// (0 accuracy, +inf loss) for a diverged run.
    public var metric: Double
    /// The last epoch's validation loss and accuracy (nil without a validation part).
    public var validationLoss: Double?
    /// See ``validationLoss``.
    public var validationAccuracy: Double?
    /// The last epoch's training loss (NaN when no epoch finished).
    public var trainLoss: Double
    /// The last epoch's training accuracy.
    public var trainAccuracy: Double?
    /// The health monitor's verdict on the run.
    public var verdict: HealthVerdict
    /// The kinds of the report's findings, most severe first (`loss_divergence`, ...).
    public var findings: [String]
    /// Epochs finished.
    public var epochs: Int
    /// Steps taken.
    public var steps: Int
    /// Wall-clock seconds of the run.
    public var seconds: Double

    /// A result; see the properties.
    public init(trial: SweepTrial, values: [SweepValue], status: TrainingStatus, diverged: Bool, metric: Double,
                validationLoss: Double?, validationAccuracy: Double?, trainLoss: Double, trainAccuracy: Double?,
                verdict: HealthVerdict, findings: [String], epochs: Int, steps: Int, seconds: Double) {
        self.trial = trial
        self.values = values
        self.status = status
        self.diverged = diverged
        self.metric = metric
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.verdict = verdict
        self.findings = findings
        self.epochs = epochs
        self.steps = steps
        self.seconds = seconds
    }

    /// The line of a results file (`gradcheck.sweep-results/1`): `trial`, `configuration`,
    /// `values` (one per axis, `null` for `none`), `seed`, `fold`, `status`, `diverged`,
    /// `metric`, `val_loss`, `val_accuracy`, `loss`, `accuracy`, `verdict`, `findings`,
    /// `epochs`, `steps`, `seconds`. Non-finite numbers are the strings `"nan"`/`"inf"`.
    public var jsonValue: JSONValue {
        var o: JSONObject = [
            "trial": .integer(trial.index),
            "configuration": .integer(trial.configuration),
            "values": .array(values.map(\.jsonValue)),
            "seed": .integer(trial.seed),
            "fold": .integer(trial.fold),
            "status": .string(status.rawValue),
            "diverged": .bool(diverged),
            "metric": .number(metric),
        ]
        o["val_loss"] = validationLoss.map(JSONValue.number) ?? .null
        o["val_accuracy"] = validationAccuracy.map(JSONValue.number) ?? .null
        o["loss"] = .number(trainLoss)
        o["accuracy"] = trainAccuracy.map(JSONValue.number) ?? .null
        o["verdict"] = .string(verdict.rawValue)
        o["findings"] = .array(findings.map(JSONValue.string))
        o["epochs"] = .integer(epochs)
        o["steps"] = .integer(steps)
        o["seconds"] = .number((seconds * 1000).rounded() / 1000)
        return .object(o)
    }

    /// Reads a results-file line for `plan` (its values are taken from the plan's
    /// configuration, so a line must agree with it).
    ///
    /// - Throws: ``SweepError`` naming `where_` (`file:line`) and the field.
    public init(json: JSONValue, plan: SweepPlan, at where_: String) throws(SweepError) {
        func fail(_ field: String, _ expected: String) -> SweepError {
            SweepError("\(where_): \(field): expected \(expected)")
        }
        guard let o = json.objectValue else { throw fail("line", "a JSON object") }
        func int(_ k: String) throws(SweepError) -> Int {
            guard let v = o[k]?.intValue, v >= 0 else { throw fail(k, "a non-negative integer") }
            return v
        }
        func number(_ k: String) throws(SweepError) -> Double {
            guard let v = o[k]?.extendedNumberValue else { throw fail(k, "a number") }
            return v
        }
        func optionalNumber(_ k: String) throws(SweepError) -> Double? {
            guard let v = o[k], !v.isNull else { return nil }
            guard let x = v.extendedNumberValue else { throw fail(k, "a number or null") }
            return x
        }
        let index = try int("trial"), configuration = try int("configuration"), fold = try int("fold")
        guard let seed = o["seed"]?.intValue, seed >= 0 else { throw fail("seed", "a non-negative integer") }
        let configs = plan.gridIndices.count
        guard configuration < configs else { throw fail("configuration", "a number below \(configs)") }
        let trial = SweepTrial(index: index, configuration: configuration, seed: UInt64(seed), fold: fold)
        let trials = plan.trials
        guard index < trials.count, trials[index] == trial else {
            throw SweepError("\(where_): trial \(index) (configuration \(configuration), seed \(seed), fold \(fold)) is not a trial of this sweep")
        }
        guard let s = o["status"]?.stringValue, let status = TrainingStatus(rawValue: s) else {
            throw fail("status", "one of " + TrainingStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let diverged = o["diverged"]?.boolValue else { throw fail("diverged", "true or false") }
        guard let v = o["verdict"]?.stringValue, let verdict = HealthVerdict(rawValue: v) else {
            throw fail("verdict", "healthy, warning or unhealthy")
        }
        guard let f = o["findings"]?.arrayValue else { throw fail("findings", "an array of strings") }
        var findings: [String] = []
        for x in f {
            guard let s = x.stringValue else { throw fail("findings", "an array of strings") }
            findings.append(s)
        }
        self.init(trial: trial, values: plan.configurations[configuration], status: status, diverged: diverged,
                  metric: try number("metric"), validationLoss: try optionalNumber("val_loss"),
                  validationAccuracy: try optionalNumber("val_accuracy"), trainLoss: try number("loss"),
                  trainAccuracy: try optionalNumber("accuracy"), verdict: verdict, findings: findings,
                  epochs: try int("epochs"), steps: try int("steps"), seconds: try number("seconds"))
    }
}

/// What a sweep ranks by: validation accuracy for a classifier (higher is better),
/// validation loss otherwise (lower is better); the training part's when the sweep has
/// no validation part.
public struct SweepMetric: Sendable, Equatable {
    /// `val_accuracy`, `val_loss`, `accuracy` or `loss`.
    public var name: String
    /// Whether higher is better.
    public var higherIsBetter: Bool

    /// The metric for `model` with or without a validation part.
    public init(model: Model, validation: Bool) {
        let classifier: Bool
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy, .categoricalCrossentropy, .binaryCrossentropy: classifier = true
        default: classifier = false
        }
        name = (validation ? "val_" : "") + (classifier ? "accuracy" : "loss")
        higherIsBetter = classifier
    }

    /// A metric by name (`*accuracy` is higher-is-better).
    public init(name: String) {
        self.name = name
        higherIsBetter = name.hasSuffix("accuracy")
    }

    /// The value a diverged run gets.
    public var worst: Double { higherIsBetter ? 0 : .infinity }
}
