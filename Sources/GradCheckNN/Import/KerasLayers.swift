/// One Keras layer translated: the format's layer type and its keys (without `type`,
/// `name` and `inputs`, which the model translation adds).
struct TranslatedLayer {
    var type: String
    var keys: JSONObject
}

/// Translates the config of one Keras 3 layer into a `gradcheck.model/1` layer.
///
/// Every argument of the config is translated, checked to be the value the format has
/// built in, or named as irrelevant to what is computed; anything else is an error naming
/// the argument with its path (see ``KerasConfig``).
enum KerasLayers {
    /// The Keras layer classes the importer translates.
    static let supportedClasses = [
        "Dense", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Dropout", "Flatten", "Reshape",
        "Conv1D", "Conv2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D",
        "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
        "Embedding", "BatchNormalization", "LayerNormalization", "RMSNormalization", "GroupNormalization",
        "SimpleRNN", "LSTM", "GRU", "Bidirectional", "MultiHeadAttention",
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    ]

    /// Keras merge layers and the format's type for each.
    static let merges = [
        "Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Average": "average",
        "Maximum": "maximum", "Minimum": "minimum", "Concatenate": "concatenate",
    ]

    /// Translates `config` of a layer of class `className`.
    ///
    /// - Parameters:
    ///   - path: the JSON path of the layer object (`config.layers[3]`); errors point inside it.
    ///   - inputRank: the rank of the layer's input with the batch axis, when known (to
    ///     read a positive `axis`).
    static func translate(className: String, config: JSONValue, path: String, file: String?,
                          inputRank: Int?) throws(SpecError) -> (name: String?, layer: TranslatedLayer) {
        var c = try KerasConfig(config, path: SpecPath.member(path, "config"), file: file, what: "Keras \(className)")
        let name = try c.layerCommon()
        let layer = try translate(className, &c, path: path, inputRank: inputRank)
        try c.finish()
        return (name, layer)
    }

    private static func translate(_ className: String, _ c: inout KerasConfig, path: String,
                                  inputRank: Int?) throws(SpecError) -> TranslatedLayer {
        var o = JSONObject()
        switch className {
        case "Dense":
            o["units"] = .integer(try c.positiveInt("units"))
            try activation(&c, into: &o)
            try useBias(&c, into: &o)
            try kernelAndBias(&c, into: &o)
            try activity(&c, into: &o)
            try c.requireNull("quantization_config", because: "quantised layers cannot be checked")
            try c.requireDefault("lora_rank", .null, because: "LoRA adapters are not supported")
            c.ignore("lora_alpha")
            return TranslatedLayer(type: "dense", keys: o)

        case "Activation":
            o["activation"] = try KerasValues.activation(try c.require("activation"), path: c.path("activation"), file: c.file)
            return TranslatedLayer(type: "activation", keys: o)

        case "ReLU":
            try c.requireDefault("max_value", .null, because: "a capped ReLU has no counterpart")
            try c.requireDefault("threshold", 0, because: "a shifted ReLU has no counterpart")
            let slope = try c.number("negative_slope") ?? 0
            o["activation"] = slope == 0 ? "relu" : ["type": "leaky_relu", "alpha": .number(slope)]
            return TranslatedLayer(type: "activation", keys: o)

        case "LeakyReLU":
            // Keras' layer defaults to slope 0.3, the format's activation to 0.2: always say which.
            let slope = try c.number("negative_slope") ?? 0.3
            o["activation"] = ["type": "leaky_relu", "alpha": .number(slope)]
            return TranslatedLayer(type: "activation", keys: o)

        case "ELU":
            let alpha = try c.number("alpha") ?? 1
            o["activation"] = alpha == 1 ? "elu" : ["type": "elu", "alpha": .number(alpha)]
            return TranslatedLayer(type: "activation", keys: o)

        case "Softmax":
            try lastAxis(&c, "axis", inputRank: inputRank)
            o["activation"] = "softmax"
            return TranslatedLayer(type: "activation", keys: o)

        case "Dropout":
            o["rate"] = .number(try c.number("rate") ?? 0)
            try c.requireNull("noise_shape", because: "dropout masks are drawn per element")
            c.ignore("seed")
            return TranslatedLayer(type: "dropout", keys: o)

        case "Flatten":
            try channelsLast(&c)
            return TranslatedLayer(type: "flatten", keys: o)

        case "Reshape":
            let shape = try c.require("target_shape")
            o["target_shape"] = .integers(try LayerKind.decodeTargetShape(shape, c.path("target_shape"), c.file))
            return TranslatedLayer(type: "reshape", keys: o)

        case "Conv1D", "Conv2D":
            let rank = className == "Conv1D" ? 1 : 2
            o["filters"] = .integer(try c.positiveInt("filters"))
            o["kernel_size"] = tupleJSON(try c.tuple("kernel_size", count: rank) ?? [])
            o["strides"] = tupleJSON(try c.tuple("strides", count: rank) ?? Array(repeating: 1, count: rank))
            o["padding"] = .string(try padding(&c, allowed: rank == 1 ? ["valid", "same", "causal"] : ["valid", "same"]))
            try channelsLast(&c)
            let dilation = try c.tuple("dilation_rate", count: rank) ?? Array(repeating: 1, count: rank)
            if rank == 1 {
                if dilation != [1] { o["dilation_rate"] = .integer(dilation[0]) }
            } else if dilation != [1, 1] {
                throw c.error("dilation_rate", "Keras Conv2D argument \"dilation_rate\" = \(dilation) is not supported; conv2d has no dilation")
            }
            try c.requireDefault("groups", 1, because: "grouped convolutions are not supported")
            try activation(&c, into: &o)
            try useBias(&c, into: &o)
            try kernelAndBias(&c, into: &o)
            try activity(&c, into: &o)
            try c.requireNull("lora_rank", because: "LoRA adapters are not supported")
            c.ignore("lora_alpha")
            return TranslatedLayer(type: rank == 1 ? "conv1d" : "conv2d", keys: o)

        case "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D":
            let rank = className.hasSuffix("1D") ? 1 : 2
            let pool = try c.tuple("pool_size", count: rank) ?? Array(repeating: 2, count: rank)
            let strides = try c.tuple("strides", count: rank) ?? pool
            o["pool_size"] = tupleJSON(pool)
            if strides != pool { o["strides"] = tupleJSON(strides) }
            o["padding"] = .string(try padding(&c, allowed: ["valid", "same"]))
            try channelsLast(&c)
            let kind = className.hasPrefix("Max") ? "max" : "average"
            return TranslatedLayer(type: "\(kind)_pooling\(rank)d", keys: o)

        case "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D":
            try channelsLast(&c)
            try c.requireDefault("keepdims", false, because: "the pooled axes are removed")
            let kind = className.contains("Max") ? "max" : "average"
            return TranslatedLayer(type: "global_\(kind)_pooling\(className.hasSuffix("1D") ? 1 : 2)d", keys: o)

        case "Embedding":
            o["input_dim"] = .integer(try c.positiveInt("input_dim"))
            o["output_dim"] = .integer(try c.positiveInt("output_dim"))
            try initializer(&c, "embeddings_initializer", fallback: .randomUniform(), into: &o)
            try regularizer(&c, "embeddings_regularizer", into: &o)
            try activity(&c, into: &o)
            try c.requireNull("embeddings_constraint", because: constraintReason)
            try c.requireDefault("mask_zero", false, because: "masking is not supported")
            try c.requireNull("quantization_config", because: "quantised layers cannot be checked")
            try c.requireNull("lora_rank", because: "LoRA adapters are not supported")
            c.ignore("lora_alpha")
            try c.requireDefault("sparse", false, because: "sparse gradients are not supported")
            return TranslatedLayer(type: "embedding", keys: o)

        case "BatchNormalization":
            try lastAxis(&c, "axis", inputRank: inputRank)
            o["momentum"] = .number(try c.number("momentum") ?? 0.99)
            o["epsilon"] = .number(try c.number("epsilon") ?? 1e-3)
            try centerScale(&c, into: &o)
            try initializer(&c, "beta_initializer", fallback: .zeros, into: &o)
            try initializer(&c, "gamma_initializer", fallback: .ones, into: &o)
            try initializer(&c, "moving_mean_initializer", fallback: .zeros, into: &o)
            try initializer(&c, "moving_variance_initializer", fallback: .ones, into: &o)
            try regularizer(&c, "beta_regularizer", into: &o)
            try regularizer(&c, "gamma_regularizer", into: &o)
            try constraints(&c, "beta_constraint", "gamma_constraint")
            // Synchronised statistics only differ across devices; one device computes the same.
            c.ignore("synchronized")
            try c.requireDefault("renorm", false, because: "batch renormalisation is not supported")
            try c.requireNull("renorm_clipping", because: "batch renormalisation is not supported")
            c.ignore("renorm_momentum")   // used only with renorm
            return TranslatedLayer(type: "batch_normalization", keys: o)

        case "LayerNormalization":
            try lastAxis(&c, "axis", inputRank: inputRank)
            o["epsilon"] = .number(try c.number("epsilon") ?? 1e-3)
            try centerScale(&c, into: &o)
            try c.requireDefault("rms_scaling", false, because: "use RMSNormalization, which the format has as rms_normalization")
            try initializer(&c, "beta_initializer", fallback: .zeros, into: &o)
            try initializer(&c, "gamma_initializer", fallback: .ones, into: &o)
            try regularizer(&c, "beta_regularizer", into: &o)
            try regularizer(&c, "gamma_regularizer", into: &o)
            try constraints(&c, "beta_constraint", "gamma_constraint")
            return TranslatedLayer(type: "layer_normalization", keys: o)

        case "RMSNormalization":
            try lastAxis(&c, "axis", inputRank: inputRank)
            o["epsilon"] = .number(try c.number("epsilon") ?? 1e-6)
            return TranslatedLayer(type: "rms_normalization", keys: o)

        case "GroupNormalization":
            try lastAxis(&c, "axis", inputRank: inputRank)
            o["groups"] = .integer(try c.int("groups") ?? 32)
            o["epsilon"] = .number(try c.number("epsilon") ?? 1e-3)
            try centerScale(&c, into: &o)
            try initializer(&c, "beta_initializer", fallback: .zeros, into: &o)
            try initializer(&c, "gamma_initializer", fallback: .ones, into: &o)
            try regularizer(&c, "beta_regularizer", into: &o)
            try regularizer(&c, "gamma_regularizer", into: &o)
            try constraints(&c, "beta_constraint", "gamma_constraint")
            return TranslatedLayer(type: "group_normalization", keys: o)

        case "SimpleRNN", "LSTM", "GRU":
            return try recurrent(className, &c)

        case "Bidirectional":
            let mode = try c.string("merge_mode") ?? "concat"
            guard ["concat", "sum", "mul", "ave"].contains(mode) else {
                throw c.error("merge_mode", "merge_mode \"\(mode)\" is not supported (concat, sum, mul and ave are; "
                    + "null gives two outputs)")
            }
            let forwardValue = try c.require("layer")
            let forward = try wrappedRecurrent(forwardValue, path: c.path("layer"), file: c.file, backwards: false)
            if let backwardValue = c.take("backward_layer") {
                let backward = try wrappedRecurrent(backwardValue, path: c.path("backward_layer"), file: c.file, backwards: true)
                guard backward.type == forward.type, backward.keys == forward.keys else {
                    throw c.error("backward_layer", "a backward layer configured differently from the forward one is not "
                        + "supported; the format's bidirectional runs one configuration both ways")
                }
            }
            var inner: JSONObject = ["type": .string(forward.type)]
            for member in forward.keys { inner[member.key] = member.value }
            o["layer"] = .object(inner)
            o["merge_mode"] = .string(mode)
            return TranslatedLayer(type: "bidirectional", keys: o)

        case "MultiHeadAttention":
            o["num_heads"] = .integer(try c.positiveInt("num_heads"))
            let keyDim = try c.positiveInt("key_dim")
            o["key_dim"] = .integer(keyDim)
            if let valueDim = try c.int("value_dim"), valueDim != keyDim { o["value_dim"] = .integer(valueDim) }
            try useBias(&c, into: &o)
            if let rate = try c.number("dropout"), rate != 0 { o["dropout"] = .number(rate) }
            try c.requireDefault("use_gate", false, because: "gated attention is not supported")
            try c.requireNull("output_shape", because: "the output is projected back to the query's last dimension")
            try c.requireNull("sliding_window", because: "sliding-window attention is not supported")
            if let axes = c.take("attention_axes"), axes != [1], axes != [-2] {
                throw c.error("attention_axes", "attention_axes \(axes.shortDescription) is not supported; "
                    + "attention runs over the sequence axis of [batch, sequence, features]")
            }
            try kernelAndBias(&c, into: &o)
            try activity(&c, into: &o)
            c.ignore("seed", "flash_attention")
            return TranslatedLayer(type: "multi_head_attention", keys: o)

        case "Concatenate":
            let axis = try c.int("axis") ?? -1
            if axis != -1 { o["axis"] = .integer(axis) }
            return TranslatedLayer(type: "concatenate", keys: o)

        default:
            if let merge = merges[className] { return TranslatedLayer(type: merge, keys: o) }
            throw SpecError(file: c.file, path: SpecPath.member(path, "class_name"),
                            message: "Keras layer \"\(className)\" is not supported (supported: "
                                + supportedClasses.joined(separator: ", ") + ")")
        }
    }

    // MARK: Recurrent layers

    /// A recurrent layer; `backwards` is what `go_backwards` must be (true only for the
    /// backward layer of a `Bidirectional`).
    private static func recurrent(_ className: String, _ c: inout KerasConfig,
                                  backwards: Bool = false) throws(SpecError) -> TranslatedLayer {
        var o = JSONObject()
        try c.requireDefault("go_backwards", .bool(backwards), because: backwards
            ? "the backward layer of a Bidirectional reads the sequence reversed"
            : "a recurrent layer reads the sequence in order (wrap it in a Bidirectional for both directions)")
        o["units"] = .integer(try c.positiveInt("units"))
        o["activation"] = try c.take("activation").map { v throws(SpecError) in
            try KerasValues.activation(v, path: c.path("activation"), file: c.file)
        } ?? "tanh"
        if className != "SimpleRNN" {
            o["recurrent_activation"] = try c.take("recurrent_activation").map { v throws(SpecError) in
                try KerasValues.activation(v, path: c.path("recurrent_activation"), file: c.file)
            } ?? "sigmoid"
        }
        o["return_sequences"] = .bool(try c.bool("return_sequences") ?? false)
        try useBias(&c, into: &o)
        try initializer(&c, "kernel_initializer", fallback: .glorotUniform, into: &o)
        try initializer(&c, "recurrent_initializer", fallback: .orthogonal(), into: &o)
        try initializer(&c, "bias_initializer", fallback: .zeros, into: &o)
        if className == "LSTM", try c.bool("unit_forget_bias") == false { o["unit_forget_bias"] = false }
        if className == "GRU" {
            try c.requireDefault("reset_after", true, because: "the Keras 2 GRU (reset gate before the recurrent product) is not supported")
        }
        try regularizer(&c, "kernel_regularizer", into: &o)
        try regularizer(&c, "recurrent_regularizer", into: &o)
        try regularizer(&c, "bias_regularizer", into: &o)
        try activity(&c, into: &o)
        try constraints(&c, "kernel_constraint", "recurrent_constraint", "bias_constraint")
        try c.requireDefault("dropout", 0, because: "recurrent dropout masks are not supported")
        try c.requireDefault("recurrent_dropout", 0, because: "recurrent dropout masks are not supported")
        try c.requireDefault("return_state", false, because: "a layer has one output")
        try c.requireDefault("stateful", false, because: "every batch starts from a zero state")
        // `unroll` and `use_cudnn` choose an implementation, not a result; masks are not
        // supported at all, so what the output is under a mask does not arise.
        c.ignore("unroll", "use_cudnn", "zero_output_for_mask", "seed", "implementation")
        return TranslatedLayer(type: snake(className), keys: o)
    }

    /// The layer inside a `Bidirectional`, which must go forwards (`backwards` false) or
    /// backwards as its role says.
    private static func wrappedRecurrent(_ v: JSONValue, path: String, file: String?,
                                         backwards: Bool) throws(SpecError) -> TranslatedLayer {
        let className = try Read.string(v["class_name"] ?? .null, SpecPath.member(path, "class_name"), file)
        guard ["SimpleRNN", "LSTM", "GRU"].contains(className) else {
            throw SpecError(file: file, path: SpecPath.member(path, "class_name"),
                            message: "Bidirectional around \"\(className)\" is not supported (SimpleRNN, LSTM and GRU are)")
        }
        var c = try KerasConfig(v["config"] ?? .null, path: SpecPath.member(path, "config"), file: file, what: "Keras \(className)")
        _ = try c.layerCommon()
        let layer = try recurrent(className, &c, backwards: backwards)
        try c.finish()
        return layer
    }

    private static func snake(_ className: String) -> String {
        switch className {
        case "SimpleRNN": return "simple_rnn"
        case "LSTM": return "lstm"
        default: return "gru"
        }
    }

    // MARK: Shared arguments

    static let constraintReason = "constraints act in the optimiser step, which gradcheck does not apply"

    private static func activation(_ c: inout KerasConfig, into o: inout JSONObject) throws(SpecError) {
        guard let v = c.take("activation") else { o["activation"] = "linear"; return }
        o["activation"] = try KerasValues.activation(v, path: c.path("activation"), file: c.file)
    }

    private static func useBias(_ c: inout KerasConfig, into o: inout JSONObject) throws(SpecError) {
        if try c.bool("use_bias") == false { o["use_bias"] = false }
    }

    private static func kernelAndBias(_ c: inout KerasConfig, into o: inout JSONObject) throws(SpecError) {
        try initializer(&c, "kernel_initializer", fallback: .glorotUniform, into: &o)
        try initializer(&c, "bias_initializer", fallback: .zeros, into: &o)
        try regularizer(&c, "kernel_regularizer", into: &o)
        try regularizer(&c, "bias_regularizer", into: &o)
        try constraints(&c, "kernel_constraint", "bias_constraint")
    }

    private static func activity(_ c: inout KerasConfig, into o: inout JSONObject) throws(SpecError) {
        try regularizer(&c, "activity_regularizer", into: &o)
    }

    private static func initializer(_ c: inout KerasConfig, _ key: String, fallback: InitializerSpec,
                                    into o: inout JSONObject) throws(SpecError) {
        guard let v = c.take(key) else { return }
        if let ours = try KerasValues.initializer(v, fallback: fallback, path: c.path(key), file: c.file) { o[key] = ours }
    }

    private static func regularizer(_ c: inout KerasConfig, _ key: String, into o: inout JSONObject) throws(SpecError) {
        if let ours = try KerasValues.regularizer(c.take(key), path: c.path(key), file: c.file) { o[key] = ours }
    }

    private static func constraints(_ c: inout KerasConfig, _ keys: String...) throws(SpecError) {
        for key in keys { try c.requireNull(key, because: constraintReason) }
    }

    private static func centerScale(_ c: inout KerasConfig, into o: inout JSONObject) throws(SpecError) {
        if try c.bool("center") == false { o["center"] = false }
        if try c.bool("scale") == false { o["scale"] = false }
    }

    private static func channelsLast(_ c: inout KerasConfig) throws(SpecError) {
        try c.requireDefault("data_format", "channels_last", because: "the format is channels last")
    }

    private static func padding(_ c: inout KerasConfig, allowed: [String]) throws(SpecError) -> String {
        let p = try c.string("padding") ?? "valid"
        guard allowed.contains(p) else {
            throw c.error("padding", "padding \"\(p)\" is not supported here (\(allowed.joined(separator: ", ")) are)")
        }
        return p
    }

    /// An `axis` argument that must name the last axis: `-1`, `[-1]`, or the last index
    /// counted with the batch axis when the input's rank is known.
    private static func lastAxis(_ c: inout KerasConfig, _ key: String, inputRank: Int?) throws(SpecError) {
        guard let v = c.take(key) else { return }
        var axes: [Int] = []
        if let n = v.intValue { axes = [n] }
        else if case let .array(elements) = v { axes = elements.compactMap(\.intValue) }
        let last = inputRank.map { $0 - 1 }
        guard axes.count == 1, axes[0] == -1 || axes[0] == last else {
            throw c.error(key, "\(c.what) argument \"\(key)\" = \(v.shortDescription) is not supported; "
                + "gradcheck normalises over the last axis only (-1)")
        }
    }

    /// `3` for `[3]` or `[3, 3]`, else the array.
    static func tupleJSON(_ values: [Int]) -> JSONValue {
        if let first = values.first, values.allSatisfy({ $0 == first }) { return .integer(first) }
        return .integers(values)
    }
}
