import GradCheckNN

/// Keras 3's `EarlyStopping` callback (`keras/src/callbacks/early_stopping.py`), epoch by
/// epoch: feed it each epoch's metrics with ``update(epoch:metrics:)``.
///
/// - `monitor`: `val_loss` (default), `loss`, `val_accuracy` or `accuracy`; accuracies
///   are maximised, losses minimised (Keras' `mode="auto"`).
/// - An epoch *improves* when `current − min_delta < best` (minimising) or
///   `current − min_delta > best` (maximising, where Keras negates `min_delta` for
///   `min` mode: `current + min_delta < best`). `best` starts at ±∞.
/// - Every epoch first counts `wait += 1`; an improvement records the epoch as best and
///   resets `wait` to 0. Otherwise, when `wait ≥ patience` and it is not the first epoch,
///   training stops; with `restore_best_weights` the best epoch's weights come back
///   (only when stopping early, as in Keras 3).
/// - An epoch whose monitored value is missing (no validation data for `val_loss`) is
///   skipped, as Keras skips it (with a warning there); a NaN value never improves.
public struct EarlyStopping: Sendable, Equatable {
    /// The rule.
    public let spec: EarlyStoppingSpec
    /// The best monitored value so far (±∞ before the first).
    public private(set) var best: Double
    /// The epoch (from 1) of ``best``, if any.
    public private(set) var bestEpoch: Int?
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    /// The epoch at which training was told to stop, if it was.
    public private(set) var stoppedEpoch: Int?

    /// A fresh state for `spec`.
    public init(_ spec: EarlyStoppingSpec) {
        self.spec = spec
        self.best = spec.higherIsBetter ? -.infinity : .infinity
    }

    /// What an epoch's metrics mean for early stopping.
    public enum Decision: Sendable, Equatable {
        /// Go on; this epoch is the best so far (keep its weights if restoring).
        case improved
        /// Go on; no improvement.
        case noImprovement
        /// Stop now; restore the best epoch's weights when ``EarlyStoppingSpec/restoreBestWeights``.
        case stop
        /// The monitored value is not among the metrics.
        case missingValue
    }

    /// Whether `current` improves on `reference` by more than `min_delta`.
    public func isImprovement(_ current: Double, over reference: Double) -> Bool {
        spec.higherIsBetter ? current - spec.minDelta > reference : current + spec.minDelta < reference
    }

    /// Updates the state with the metrics of epoch `epoch` (from 1).
    public mutating func update(epoch: Int, metrics: EpochMetrics) -> Decision {
        guard let current = metrics.value(of: spec.monitor) else { return .missingValue }
        wait += 1
        if isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            wait = 0
            return .improved
        }
        if wait >= spec.patience && epoch > 1 {
            stoppedEpoch = epoch
            return .stop
        }
        return .noImprovement
    }
}

/// The metrics of one epoch, Keras names: `loss`, `accuracy`, `val_loss`, `val_accuracy`.
public struct EpochMetrics: Sendable, Equatable {
    /// The mean training loss over the epoch's steps, weighted by batch size
    /// (regularisation included), as Keras reports it.
    public var loss: Double
    /// The fraction of training samples classified correctly during the epoch's steps
    /// (with dropout active, as Keras computes it); `nil` for regression losses.
    public var accuracy: Double?
    /// The validation loss after the epoch, if there is validation data.
    public var validationLoss: Double?
    /// The validation accuracy after the epoch.
    public var validationAccuracy: Double?

    /// Metrics.
    public init(loss: Double, accuracy: Double? = nil, validationLoss: Double? = nil, validationAccuracy: Double? = nil) {
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
    }

    /// The value of a Keras metric name, or `nil`.
    public func value(of name: String) -> Double? {
        switch name {
        case "loss": return loss
        case "accuracy", "acc": return accuracy
        case "val_loss": return validationLoss
        case "val_accuracy", "val_acc": return validationAccuracy
        default: return nil
        }
    }
}
