import GradCheckAutograd

extension Model {
    /// Builds a sequence, attention or normalisation layer of issue 14 (`conv1d`, the 1-D
    /// and global pooling layers, `rms_normalization`, `group_normalization`,
    /// `bidirectional`, `multi_head_attention` as self-attention) for a per-sample
    /// `inputShape`, checking that it can take it.
    ///
    /// - Throws: ``ModelError`` at the layer's path naming the layer, its input shape and
    ///   what it needs.
    static func buildSequenceLayer(_ layerSpec: LayerSpec, inputShape shape: [Int], file: String?) throws(ModelError) -> any Layer {
        let name = layerSpec.name
        func check(_ problem: String?) throws(ModelError) {
            if let problem { throw ModelError(file: file, path: layerSpec.path, "\(name): \(problem)") }
        }
        switch layerSpec.kind {
        case let .conv1D(spec):
            try check(Conv1DLayer.inputProblem(spec: spec, inputShape: shape))
            return Conv1DLayer(name: name, spec: spec, inputShape: shape)
        case let .maxPooling1D(spec):
            try check(Pooling1DLayer.inputProblem(spec: spec, inputShape: shape))
            return Pooling1DLayer(name: name, reduction: .max, spec: spec, inputShape: shape)
        case let .averagePooling1D(spec):
            try check(Pooling1DLayer.inputProblem(spec: spec, inputShape: shape))
            return Pooling1DLayer(name: name, reduction: .average, spec: spec, inputShape: shape)
        case .globalAveragePooling1D, .globalMaxPooling1D:
            try check(GlobalPoolingLayer.inputProblem(spatialRank: 1, inputShape: shape))
            let reduction: Pooling2DLayer.Reduction = layerSpec.kind == .globalMaxPooling1D ? .max : .average
            return GlobalPoolingLayer(name: name, reduction: reduction, inputShape: shape)
        case .globalMaxPooling2D:
            try check(GlobalPoolingLayer.inputProblem(spatialRank: 2, inputShape: shape))
            return GlobalPoolingLayer(name: name, reduction: .max, inputShape: shape)
        case let .rmsNormalization(spec):
            return RMSNormalizationLayer(name: name, spec: spec, inputShape: shape)
        case let .groupNormalization(spec):
            try check(GroupNormalizationLayer.inputProblem(groups: spec.groups, inputShape: shape))
            return GroupNormalizationLayer(name: name, spec: spec, inputShape: shape)
        case let .bidirectional(spec):
            return try atSpecPath(layerSpec, file: file) { () throws(ModelError) in
                try BidirectionalLayer(name: name, spec: spec, inputShape: shape)
            }
        case let .multiHeadAttention(spec):
            try check(MultiHeadAttentionLayer.inputProblem(queryShape: shape, valueShape: shape, keyShape: shape))
            return MultiHeadAttentionLayer(name: name, spec: spec, queryShape: shape)
        default:
            throw ModelError(file: file, path: layerSpec.path, "\(name): \(layerSpec.typeName) is not a sequence layer")
        }
    }
}
