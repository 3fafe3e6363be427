/// The optional `training` block of a model spec. Every field is optional: the CLI has
/// defaults and flags that override these.
public struct TrainingSpec: Sendable, Equatable, Hashable {
    /// The optimiser.
    public var optimizer: OptimizerSpec?
    /// The clipping policy (`training.clipping`). Never set together with
    /// ``OptimizerSpec/kerasClipping``.
    public var clipping: ClippingSpec?
    /// Passes over the training data (> 0).
    public var epochs: Int?
    /// Samples per step (> 0).
    public var batchSize: Int?
    /// The fraction of the data held out for validation, in [0, 1).
    public var validationSplit: Double?
    /// The seed for every random choice (0 ... 2^53).
    public var seed: UInt64?
    /// When to stop early.
    public var earlyStopping: EarlyStoppingSpec?

    /// A training block; everything defaults to absent.
    public init(optimizer: OptimizerSpec? = nil, clipping: ClippingSpec? = nil, epochs: Int? = nil,
                batchSize: Int? = nil, validationSplit: Double? = nil, seed: UInt64? = nil,
                earlyStopping: EarlyStoppingSpec? = nil) {
        self.optimizer = optimizer
        self.clipping = clipping
        self.epochs = epochs
        self.batchSize = batchSize
        self.validationSplit = validationSplit
        self.seed = seed
        self.earlyStopping = earlyStopping
    }

    /// The clipping in effect: ``clipping`` or else the optimizer's Keras-style clipping.
    public var effectiveClipping: ClippingSpec? { clipping ?? optimizer?.kerasClipping }

    /// Decodes the `training` object.
    ///
    /// - Throws: ``SpecError`` at the offending path for an unknown key (with a
    ///   did-you-mean), a bad value, or a `clipping` block given together with
    ///   `clipnorm`/`clipvalue`/`global_clipnorm` on the optimizer (the error names both).
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> TrainingSpec {
        let r = try ObjectReader(value, path: path, file: file)
        try r.allowOnly(["optimizer", "clipping", "epochs", "batch_size", "validation_split", "seed", "early_stopping"])
        var spec = TrainingSpec()
        spec.optimizer = try r.optional("optimizer", OptimizerSpec.decode)
        spec.clipping = try r.optional("clipping", ClippingSpec.decode)
        if spec.clipping != nil, let optimizer = spec.optimizer, let (key, _) = optimizer.kerasClippingKey {
            throw r.error("clipping", "cannot be combined with \(SpecPath.member(r.path("optimizer"), key)); give one clipping only")
        }
        spec.epochs = try r.optional("epochs", Read.positiveInt)
        spec.batchSize = try r.optional("batch_size", Read.positiveInt)
        spec.validationSplit = try r.optional("validation_split", Read.number(.unitHalfOpen))
        spec.seed = try r.optional("seed", Read.nonNegativeInt).map { UInt64($0) }
        spec.earlyStopping = try r.optional("early_stopping", EarlyStoppingSpec.decode)
        return spec
    }

    /// The object with the fields that are set, in the format's order.
    public var jsonValue: JSONValue {
        var o = JSONObject()
        if let optimizer { o["optimizer"] = optimizer.jsonValue }
        if let clipping { o["clipping"] = clipping.jsonValue }
        if let epochs { o["epochs"] = .integer(epochs) }
        if let batchSize { o["batch_size"] = .integer(batchSize) }
        if let validationSplit { o["validation_split"] = .number(validationSplit) }
        if let seed { o["seed"] = .integer(seed) }
        if let earlyStopping { o["early_stopping"] = earlyStopping.jsonValue }
        return .object(o)
    }
}
