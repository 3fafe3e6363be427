/// What a layer does, with its configuration.
public enum LayerKind: Sendable, Equatable {
    /// A fully connected layer.
    case dense(DenseSpec)
    /// An activation on its own.
    case activation(ActivationSpec)
    /// Dropout with the given rate in `[0, 1)` (identity outside training).
    case dropout(rate: Double)
    /// Flattens each sample to one axis, in row-major order.
    case flatten
    /// Reshapes each sample; at most one axis may be `-1` (inferred).
    case reshape(targetShape: [Int])
    /// A 2-D convolution on `[height, width, channels]`.
    case conv2D(Conv2DSpec)
    /// Max pooling on `[height, width, channels]`.
    case maxPooling2D(Pooling2DSpec)
    /// Average pooling on `[height, width, channels]`.
    case averagePooling2D(Pooling2DSpec)
    /// The mean over height and width: `[height, width, channels] → [channels]`.
    case globalAveragePooling2D
    /// Batch normalisation over every axis but the last.
    case batchNormalization(BatchNormalizationSpec)
    /// Layer normalisation over the last axis.
    case layerNormalization(LayerNormalizationSpec)
    /// Integer token ids to vectors.
    case embedding(EmbeddingSpec)
    /// A fully connected recurrent layer.
    case simpleRNN(RecurrentSpec)
    /// A long short-term memory layer.
    case lstm(RecurrentSpec)
    /// A gated recurrent unit layer (`reset_after` true).
    case gru(RecurrentSpec)
    /// `input + inner layers(input)`.
    case residual(ResidualSpec)
    /// A merge of several inputs (`add`, `concatenate`, ...): graph models.
    case merge(MergeSpec)
    // Sequence, attention and normalisation layers (issue 14).
    /// A 1-D convolution on `[timesteps, channels]`.
    case conv1D(Conv1DSpec)
    /// Max pooling on `[timesteps, channels]`.
    case maxPooling1D(Pooling1DSpec)
    /// Average pooling on `[timesteps, channels]`.
    case averagePooling1D(Pooling1DSpec)
    /// The mean over time: `[timesteps, channels] → [channels]`.
    case globalAveragePooling1D
    /// The maximum over time: `[timesteps, channels] → [channels]`.
    case globalMaxPooling1D
    /// The maximum over height and width: `[height, width, channels] → [channels]`.
    case globalMaxPooling2D
    /// Root-mean-square normalisation over the last axis.
    case rmsNormalization(RMSNormalizationSpec)
    /// Group normalisation over channel groups and every per-sample position.
    case groupNormalization(GroupNormalizationSpec)
    /// A recurrent layer run forwards and backwards, outputs merged.
    case bidirectional(BidirectionalSpec)
    /// Keras multi-head attention (self-attention on one input).
    case multiHeadAttention(MultiHeadAttentionSpec)
    /// A data-augmentation layer (`random_flip`, `gaussian_noise`, ...): random in training only.
    case augmentation(AugmentationSpec)

    /// The layer type as the format names it: `"dense"`, `"activation"`, ...
    public var typeName: String {
        switch self {
        case .dense: return "dense"
        case .activation: return "activation"
        case .dropout: return "dropout"
        case .flatten: return "flatten"
        case .reshape: return "reshape"
        case .conv2D: return "conv2d"
        case .maxPooling2D: return "max_pooling2d"
        case .averagePooling2D: return "average_pooling2d"
        case .globalAveragePooling2D: return "global_average_pooling2d"
        case .batchNormalization: return "batch_normalization"
        case .layerNormalization: return "layer_normalization"
        case .embedding: return "embedding"
        case .simpleRNN: return "simple_rnn"
        case .lstm: return "lstm"
        case .gru: return "gru"
        case .residual: return "residual"
        case let .merge(spec): return spec.operation.rawValue
        case .conv1D: return "conv1d"
        case .maxPooling1D: return "max_pooling1d"
        case .averagePooling1D: return "average_pooling1d"
        case .globalAveragePooling1D: return "global_average_pooling1d"
        case .globalMaxPooling1D: return "global_max_pooling1d"
        case .globalMaxPooling2D: return "global_max_pooling2d"
        case .rmsNormalization: return "rms_normalization"
        case .groupNormalization: return "group_normalization"
        case .bidirectional: return "bidirectional"
        case .multiHeadAttention: return "multi_head_attention"
        case let .augmentation(spec): return spec.typeName
        }
    }

    /// The layer types this version decodes (every type of FORMATS.md §1).
    public static let supportedTypeNames = [
        "dense", "activation", "dropout", "flatten", "reshape", "batch_normalization", "layer_normalization",
        "conv2d", "max_pooling2d", "average_pooling2d", "global_average_pooling2d", "embedding",
        "simple_rnn", "lstm", "gru", "residual",
        "conv1d", "max_pooling1d", "average_pooling1d", "global_average_pooling1d", "global_max_pooling1d",
        "global_max_pooling2d", "rms_normalization", "group_normalization", "bidirectional", "multi_head_attention",
    ] + MergeSpec.typeNames + AugmentationSpec.typeNames

    /// Layer types the format defines (FORMATS.md §1) that this version does not decode
    /// yet; a spec using one is rejected with a message saying so. (Empty: every type of
    /// the format decodes; a type whose layer is not built yet is rejected by ``Model``.)
    public static let unsupportedTypeNames: [String] = []

    /// Common spellings from Keras class names and PyTorch, pointed to the format's name.
    static let aliases = [
        "linear": "dense", "fully_connected": "dense", "fc": "dense", "batchnorm": "batch_normalization",
        "batch_norm": "batch_normalization", "layernorm": "layer_normalization",
        "layer_norm": "layer_normalization", "maxpooling2d": "max_pooling2d",
        "averagepooling2d": "average_pooling2d", "globalaveragepooling2d": "global_average_pooling2d",
        "simplernn": "simple_rnn", "rnn": "simple_rnn", "convolution2d": "conv2d",
        "maxpool2d": "max_pooling2d", "avgpool2d": "average_pooling2d", "avg_pool2d": "average_pooling2d",
        "max_pool2d": "max_pooling2d", "global_avg_pool2d": "global_average_pooling2d",
        "adaptiveavgpool2d": "global_average_pooling2d", "batchnorm2d": "batch_normalization",
        "batchnorm1d": "batch_normalization", "batchnormalization": "batch_normalization",
        "layernormalization": "layer_normalization",
        "convolution1d": "conv1d", "maxpooling1d": "max_pooling1d", "maxpool1d": "max_pooling1d",
        "averagepooling1d": "average_pooling1d", "avgpool1d": "average_pooling1d",
        "globalaveragepooling1d": "global_average_pooling1d", "globalmaxpooling1d": "global_max_pooling1d",
        "globalmaxpooling2d": "global_max_pooling2d", "adaptivemaxpool2d": "global_max_pooling2d",
        "rmsnormalization": "rms_normalization", "rmsnorm": "rms_normalization", "rms_norm": "rms_normalization",
        "groupnormalization": "group_normalization", "groupnorm": "group_normalization", "group_norm": "group_normalization",
        "multiheadattention": "multi_head_attention", "mha": "multi_head_attention",
        "birnn": "bidirectional",
    ]

    /// Keys each supported type accepts besides `type` and `name`.
    static func keys(for type: String) -> [String] {
        switch type {
        case "dense": return DenseSpec.keys
        case "activation": return ["activation"]
        case "dropout": return ["rate"]
        case "reshape": return ["target_shape"]
        case "conv2d": return Conv2DSpec.keys
        case "max_pooling2d", "average_pooling2d": return Pooling2DSpec.keys
        case "batch_normalization": return BatchNormalizationSpec.keys
        case "layer_normalization": return LayerNormalizationSpec.keys
        case "embedding": return EmbeddingSpec.keys
        case "simple_rnn", "lstm", "gru": return RecurrentSpec.keys(for: type)
        case "residual": return ResidualSpec.keys
        case _ where MergeSpec.typeNames.contains(type): return MergeSpec.keys(for: type)
        case "conv1d": return Conv1DSpec.keys
        case "max_pooling1d", "average_pooling1d": return Pooling1DSpec.keys
        case "rms_normalization": return RMSNormalizationSpec.keys
        case "group_normalization": return GroupNormalizationSpec.keys
        case "bidirectional": return BidirectionalSpec.keys
        case "multi_head_attention": return MultiHeadAttentionSpec.keys
        default: return AugmentationSpec.keys(for: type)
        }
    }

    /// Decodes the type-specific keys of a layer object.
    ///
    /// - Throws: ``SpecError`` for an unknown or unsupported type, a key the type does
    ///   not take, or a bad value.
    static func decode(_ r: ObjectReader) throws(SpecError) -> LayerKind {
        let type = try r.require("type", Read.string)
        if unsupportedTypeNames.contains(type) {
            throw r.error("type", "\"\(type)\" is not supported yet (supported: \(supportedTypeNames.joined(separator: ", ")))")
        }
        try Read.typeName(type, among: supportedTypeNames + unsupportedTypeNames, what: "layer type",
                          aliases: aliases, path: r.path("type"), file: r.file)
        let own = keys(for: type)
        var elsewhere: [String: String] = [:]
        for other in supportedTypeNames where other != type {
            for key in keys(for: other) where !own.contains(key) {
                elsewhere[key] = "a \"\(type)\" layer has no key \"\(key)\""
            }
        }
        try r.allowOnly(["type", "name", "inputs"] + own, elsewhere: elsewhere)
        if let operation = MergeOperation(rawValue: type) {
            return .merge(try MergeSpec.decode(r, operation: operation))
        }
        switch type {
        case "dense":
            return .dense(try DenseSpec.decode(r))
        case "activation":
            return .activation(try r.require("activation", ActivationSpec.decode))
        case "dropout":
            return .dropout(rate: try r.require("rate", Read.number(.unitHalfOpen)))
        case "flatten":
            return .flatten
        case "conv2d":
            return .conv2D(try Conv2DSpec.decode(r))
        case "max_pooling2d":
            return .maxPooling2D(try Pooling2DSpec.decode(r))
        case "average_pooling2d":
            return .averagePooling2D(try Pooling2DSpec.decode(r))
        case "global_average_pooling2d":
            return .globalAveragePooling2D
        case "batch_normalization":
            return .batchNormalization(try BatchNormalizationSpec.decode(r))
        case "layer_normalization":
            return .layerNormalization(try LayerNormalizationSpec.decode(r))
        case "embedding":
            return .embedding(try EmbeddingSpec.decode(r))
        case "simple_rnn":
            return .simpleRNN(try RecurrentSpec.decode(r, type: type))
        case "lstm":
            return .lstm(try RecurrentSpec.decode(r, type: type))
        case "gru":
            return .gru(try RecurrentSpec.decode(r, type: type))
        case "residual":
            return .residual(try ResidualSpec.decode(r))
        case "conv1d": return .conv1D(try Conv1DSpec.decode(r))
        case "max_pooling1d": return .maxPooling1D(try Pooling1DSpec.decode(r))
        case "average_pooling1d": return .averagePooling1D(try Pooling1DSpec.decode(r))
        case "global_average_pooling1d": return .globalAveragePooling1D
        case "global_max_pooling1d": return .globalMaxPooling1D
        case "global_max_pooling2d": return .globalMaxPooling2D
        case "rms_normalization": return .rmsNormalization(try RMSNormalizationSpec.decode(r))
        case "group_normalization": return .groupNormalization(try GroupNormalizationSpec.decode(r))
        case "bidirectional": return .bidirectional(try BidirectionalSpec.decode(r))
        case "multi_head_attention": return .multiHeadAttention(try MultiHeadAttentionSpec.decode(r))
        case _ where AugmentationSpec.typeNames.contains(type):
            return .augmentation(try AugmentationSpec.decode(r, type: type))
        default:
            return .reshape(targetShape: try r.require("target_shape", decodeTargetShape))
        }
    }

    static func decodeTargetShape(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> [Int] {
        let elements = try Read.array(v, path, file)
        guard !elements.isEmpty else {
            throw SpecError(file: file, path: path, message: "expected a non-empty array of positive integers (one may be -1), got []")
        }
        var shape: [Int] = []
        var inferred: Int?
        for (k, e) in elements.enumerated() {
            let p = SpecPath.index(path, k)
            if e.intValue == -1 {
                if let inferred {
                    throw SpecError(file: file, path: p, message: "only one axis may be -1 (\(SpecPath.index(path, inferred)) is already)")
                }
                inferred = k
                shape.append(-1)
                continue
            }
            guard let n = e.intValue, n >= 1 else {
                throw Read.fail("a positive integer or -1", e, p, file)
            }
            shape.append(n)
        }
        return shape
    }

    /// Writes the type-specific keys into a layer object.
    func encode(into o: inout JSONObject) {
        switch self {
        case let .dense(spec): spec.encode(into: &o)
        case let .activation(a): o["activation"] = a.jsonValue
        case let .dropout(rate): o["rate"] = .number(rate)
        case .flatten: break
        case let .reshape(shape): o["target_shape"] = .integers(shape)
        case let .conv2D(spec): spec.encode(into: &o)
        case let .maxPooling2D(spec), let .averagePooling2D(spec): spec.encode(into: &o)
        case .globalAveragePooling2D: break
        case let .batchNormalization(spec): spec.encode(into: &o)
        case let .layerNormalization(spec): spec.encode(into: &o)
        case let .embedding(spec): spec.encode(into: &o)
        case let .simpleRNN(spec), let .lstm(spec), let .gru(spec): spec.encode(into: &o, type: typeName)
        case let .residual(spec): spec.encode(into: &o)
        case let .merge(spec): spec.encode(into: &o)
        case let .conv1D(spec): spec.encode(into: &o)
        case let .maxPooling1D(spec), let .averagePooling1D(spec): spec.encode(into: &o)
        case .globalAveragePooling1D, .globalMaxPooling1D, .globalMaxPooling2D: break
        case let .rmsNormalization(spec): spec.encode(into: &o)
        case let .groupNormalization(spec): spec.encode(into: &o)
        case let .bidirectional(spec): spec.encode(into: &o)
        case let .multiHeadAttention(spec): spec.encode(into: &o)
        case let .augmentation(spec): spec.encode(into: &o)
        }
    }
}
