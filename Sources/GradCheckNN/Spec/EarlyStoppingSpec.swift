/// When to stop training early (`training.early_stopping`), with Keras defaults.
public struct EarlyStoppingSpec: Sendable, Equatable, Hashable {
    /// The quantity watched: `val_loss` (default), `loss`, `val_accuracy` or `accuracy`.
    public var monitor: String
    /// Epochs without improvement before stopping (≥ 0).
    public var patience: Int
    /// The smallest change that counts as an improvement (≥ 0).
    public var minDelta: Double
    /// Whether to restore the best epoch's weights when stopping.
    public var restoreBestWeights: Bool

    /// The monitors the format knows.
    public static let monitors = ["val_loss", "loss", "val_accuracy", "accuracy"]

    /// An early-stopping rule; the defaults are Keras'.
    public init(monitor: String = "val_loss", patience: Int = 0, minDelta: Double = 0, restoreBestWeights: Bool = false) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }

    /// Whether a larger value of ``monitor`` is better (the accuracies).
    public var higherIsBetter: Bool { monitor.hasSuffix("accuracy") }

    /// Decodes `{"monitor": ..., "patience": ..., "min_delta": ..., "restore_best_weights": ...}`.
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown key or monitor (with a
    ///   did-you-mean), a negative patience or min_delta, or a value of the wrong type.
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> EarlyStoppingSpec {
        let r = try ObjectReader(value, path: path, file: file)
        try r.allowOnly(["monitor", "patience", "min_delta", "restore_best_weights"])
        let monitor = try r.get("monitor", default: "val_loss", Read.string)
        try Read.typeName(monitor, among: monitors, what: "monitor", path: r.path("monitor"), file: file)
        return EarlyStoppingSpec(
            monitor: monitor,
            patience: try r.get("patience", default: 0, Read.nonNegativeInt),
            minDelta: try r.get("min_delta", default: 0, Read.nonNegativeNumber),
            restoreBestWeights: try r.get("restore_best_weights", default: false, Read.bool))
    }

    /// The object with every key.
    public var jsonValue: JSONValue {
        ["monitor": .string(monitor), "patience": .integer(patience), "min_delta": .number(minDelta),
         "restore_best_weights": .bool(restoreBestWeights)]
    }
}
