/// Translates what `model.compile(...)` records (`compile_config`): the loss into the
/// spec's `loss`, the optimizer into `training.optimizer`.
enum KerasCompileConfig {
    /// Keras loss names (the strings `compile` accepts) and the format's loss for each.
    static let lossNames: [String: LossKind] = [
        "mse": .meanSquaredError, "mean_squared_error": .meanSquaredError,
        "mae": .meanAbsoluteError, "mean_absolute_error": .meanAbsoluteError,
        "huber": .huber(), "huber_loss": .huber(),
        "binary_crossentropy": .binaryCrossentropy, "categorical_crossentropy": .categoricalCrossentropy,
        "sparse_categorical_crossentropy": .sparseCategoricalCrossentropy,
    ]

    /// Keras loss classes and the format's loss for each.
    static let lossClasses: [String: LossKind] = [
        "MeanSquaredError": .meanSquaredError, "MeanAbsoluteError": .meanAbsoluteError, "Huber": .huber(),
        "BinaryCrossentropy": .binaryCrossentropy, "CategoricalCrossentropy": .categoricalCrossentropy,
        "SparseCategoricalCrossentropy": .sparseCategoricalCrossentropy,
    ]

    /// A loss as Keras serialises it: a name (`"mse"`) or a loss object
    /// (`{"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true, ...}}`).
    ///
    /// - Throws: ``SpecError`` for a loss gradcheck does not have, several losses (a list
    ///   or dict, for several outputs), or an argument that changes the loss
    ///   (`label_smoothing`, `ignore_class`, a reduction other than the batch mean).
    static func loss(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> LossSpec {
        if case let .string(name) = v {
            guard let kind = lossNames[name] else {
                throw SpecError(file: file, path: path, message: "Keras loss \"\(name)\" is not supported (supported: "
                    + lossNames.keys.sorted().joined(separator: ", ") + ")")
            }
            return LossSpec(kind: kind)
        }
        guard case .object = v, let className = v["class_name"]?.stringValue else {
            throw SpecError(file: file, path: path, message: "expected one Keras loss (a name or a loss object), got "
                + "\(v.shortDescription); models with several losses are not supported")
        }
        guard var kind = lossClasses[className] else {
            throw SpecError(file: file, path: SpecPath.member(path, "class_name"), message: "Keras loss \"\(className)\" is "
                + "not supported (supported: " + lossClasses.keys.sorted().joined(separator: ", ") + ")")
        }
        var c = try KerasConfig(v["config"] ?? .object([:]), path: SpecPath.member(path, "config"), file: file,
                                what: "Keras loss \(className)")
        c.ignore("name")
        if let policy = c.take("dtype") { try KerasConfig.checkDTypePolicy(policy, path: c.path("dtype"), file: file) }
        try c.requireDefault("reduction", "sum_over_batch_size", because: "the loss is the mean over the batch")
        var fromLogits = false
        switch kind {
        case .huber:
            kind = .huber(delta: try c.number("delta") ?? 1)
        case _ where kind.isCrossentropy:
            fromLogits = try c.bool("from_logits") ?? false
            if case .sparseCategoricalCrossentropy = kind {
                try c.requireNull("ignore_class", because: "every target counts")
            } else {
                try c.requireDefault("label_smoothing", 0, because: "targets are used as given")
            }
            try c.requireDefault("axis", -1, because: "classes are on the last axis")
        default:
            break
        }
        try c.finish()
        return LossSpec(kind: kind, fromLogits: fromLogits)
    }

    /// Keras optimizer classes and the format's type for each, with the arguments each takes.
    static let optimizers: [String: (type: String, keys: [String])] = [
        "SGD": ("sgd", ["momentum", "nesterov"]),
        "RMSprop": ("rmsprop", ["rho", "momentum", "epsilon"]),
        "Adagrad": ("adagrad", ["initial_accumulator_value", "epsilon"]),
        "Adam": ("adam", ["beta_1", "beta_2", "epsilon", "amsgrad"]),
        "AdamW": ("adamw", ["beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay"]),
    ]

    /// An optimizer as Keras serialises it, as the spec's `training.optimizer`.
    ///
    /// - Throws: ``SpecError`` for an optimizer gradcheck does not have, a learning-rate
    ///   schedule, EMA, loss scaling, gradient accumulation, or weight decay on an
    ///   optimizer other than AdamW.
    static func optimizer(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> OptimizerSpec {
        if case let .string(name) = v {
            return try OptimizerSpec.decode(.string(name.lowercased()), path: path, file: file)
        }
        let className = try Read.string(v["class_name"] ?? .null, SpecPath.member(path, "class_name"), file)
        guard let (type, own) = optimizers[className] else {
            throw SpecError(file: file, path: SpecPath.member(path, "class_name"), message: "Keras optimizer \"\(className)\" "
                + "is not supported (supported: " + optimizers.keys.sorted().joined(separator: ", ") + ")")
        }
        var c = try KerasConfig(v["config"] ?? .object([:]), path: SpecPath.member(path, "config"), file: file,
                                what: "Keras \(className)")
        c.ignore("name")
        var o: JSONObject = ["type": .string(type)]
        if let rate = c.take("learning_rate") {
            guard case .number = rate else {
                throw c.error("learning_rate", "a learning-rate schedule (\(rate.shortDescription)) is not supported; "
                    + "give a number")
            }
            o["learning_rate"] = rate
        }
        for key in own {
            if let value = c.take(key) { o[key] = value }
        }
        if !own.contains("weight_decay") {
            try c.requireDefault("weight_decay", 0, because: "only AdamW has weight decay in gradcheck")
        }
        if className == "RMSprop" { try c.requireDefault("centered", false, because: "centred RMSprop is not supported") }
        for key in OptimizerSpec.clippingKeys {
            if let value = c.take(key) { o[key] = value }
        }
        try c.requireDefault("use_ema", false, because: "weight averaging is not supported")
        c.ignore("ema_momentum", "ema_overwrite_frequency")   // used only with use_ema
        try c.requireNull("loss_scale_factor", because: "loss scaling is not supported")
        try c.requireNull("gradient_accumulation_steps", because: "gradient accumulation is not supported")
        try c.finish()
        return try OptimizerSpec.decode(.object(o), path: path, file: file)
    }
}
