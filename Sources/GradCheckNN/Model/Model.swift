import GradCheckAutograd
import GradCheckTensor

/// A model: its layers, with shapes inferred and checked, its parameters in order, and
/// its loss. Built from a `gradcheck.model/1` spec, or from layers in code (custom
/// layers included).
///
/// `Model` holds no parameter values: pass a ``ParameterSet`` (from
/// ``initialParameters(seed:)`` or a weights file) to each call, in `Float` or `Double`.
public struct Model: Sendable {
    /// The model's name.
    public let name: String
    /// The shape of one input sample.
    public let inputShape: [Int]
    /// The spec the model was built from, if it was.
    public let spec: ModelSpec?
    /// The layers, in order.
    public let layers: [any Layer]
    /// Every parameter, in layer order.
    public let parameters: [ParameterDescriptor]
    /// For each layer, the positions of its parameters in ``parameters``.
    public let parameterRanges: [Range<Int>]
    /// The loss.
    public let loss: Loss
    /// Whether the loss takes the last layer's logits (see ``Loss``).
    public let fusesFinalActivation: Bool

    /// The shape of one output sample.
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }
    /// The trainable parameters, in order (what gradient files hold).
    public var trainableParameters: [ParameterDescriptor] { parameters.filter(\.trainable) }
    /// Whether the model's input is integer indices (its first layer is an `embedding`):
    /// then no gradient is taken with respect to the inputs.
    public var takesIndices: Bool { layers.first?.takesIndices ?? false }
    /// Whether every layer treats samples independently (the verifier's fast input path).
    public var isSampleIndependent: Bool { layers.allSatisfy(\.isSampleIndependent) }

    /// Builds the model, inferring each layer's shapes.
    ///
    /// - Throws: ``ModelError`` naming the layer's path and shapes when a layer cannot
    ///   take its input (a reshape to a different element count, say).
    public init(spec: ModelSpec, file: String? = nil) throws(ModelError) {
        try Self.checkSize(spec.inputShape, path: "input_shape", file: file)
        var dropouts = 0
        var layers: [any Layer] = []
        var shape = spec.inputShape
        for layerSpec in spec.layers {
            let layer = try Self.buildLayer(layerSpec, inputShape: shape, first: layers.isEmpty,
                                            dropouts: &dropouts, file: file)
            layers.append(layer)
            shape = layer.outputShape
        }
        try self.init(name: spec.name, inputShape: spec.inputShape, layers: layers, loss: spec.loss, spec: spec, file: file)
    }

    /// Builds one layer of a spec for a per-sample `inputShape`, checking that it can
    /// take it (inner layers of a `residual` block included, recursively).
    ///
    /// - Parameters:
    ///   - first: whether the layer is the model's first (the only place an `embedding`,
    ///     which takes token ids, may be).
    ///   - dropouts: the dropout layers built so far, in model order (each one's ordinal
    ///     seeds its mask).
    /// - Throws: ``ModelError`` at the layer's path naming the layer, its input shape and
    ///   what it needs.
    static func buildLayer(_ layerSpec: LayerSpec, inputShape shape: [Int], first: Bool, dropouts: inout Int,
                           file: String?) throws(ModelError) -> any Layer {
        let name = layerSpec.name
        func fail(_ message: String) -> ModelError {
            ModelError(file: file, path: layerSpec.path, "\(name): \(message)")
        }
        let layer: any Layer
        switch layerSpec.kind {
        case let .dense(dense):
            layer = DenseLayer(name: name, spec: dense, inputShape: shape)
        case let .activation(activation):
            layer = ActivationLayer(name: name, activation: Activation(activation), inputShape: shape)
        case let .dropout(rate):
            dropouts += 1
            layer = DropoutLayer(name: name, rate: rate, ordinal: dropouts, inputShape: shape)
        case .flatten:
            layer = ReshapeLayer(name: name, typeName: "flatten", inputShape: shape, outputShape: [shape.reduce(1, *)])
        case let .reshape(target):
            try Self.checkSize(target.map { $0 == -1 ? 1 : $0 }, path: layerSpec.path, file: file)
            let count = shape.reduce(1, *)
            var resolved = target
            if let free = target.firstIndex(of: -1) {
                let known = target.filter { $0 != -1 }.reduce(1, *)
                guard known > 0, count % known == 0 else {
                    throw fail("cannot reshape an input of shape \(shape) (\(count) values) to \(target)")
                }
                resolved[free] = count / known
            }
            guard resolved.reduce(1, *) == count else {
                throw fail("cannot reshape an input of shape \(shape) (\(count) values) to \(target) (\(resolved.reduce(1, *)) values)")
            }
            layer = ReshapeLayer(name: name, typeName: "reshape", inputShape: shape, outputShape: resolved)
        case let .conv2D(conv):
            if let problem = Conv2DLayer.inputProblem(spec: conv, inputShape: shape) { throw fail(problem) }
            layer = Conv2DLayer(name: name, spec: conv, inputShape: shape)
        case let .maxPooling2D(pool):
            if let problem = Pooling2DLayer.inputProblem(spec: pool, inputShape: shape) { throw fail(problem) }
            layer = Pooling2DLayer(name: name, reduction: .max, spec: pool, inputShape: shape)
        case let .averagePooling2D(pool):
            if let problem = Pooling2DLayer.inputProblem(spec: pool, inputShape: shape) { throw fail(problem) }
            layer = Pooling2DLayer(name: name, reduction: .average, spec: pool, inputShape: shape)
        case .globalAveragePooling2D:
            if let problem = GlobalAveragePooling2DLayer.inputProblem(inputShape: shape) { throw fail(problem) }
            layer = GlobalAveragePooling2DLayer(name: name, inputShape: shape)
        case let .embedding(embedding):
            guard first else {
                throw fail("takes integer token ids, so it must be the model's first layer (its input here is the "
                    + "output \(shape) of another layer)")
            }
            layer = EmbeddingLayer(name: name, spec: embedding, inputShape: shape)
        case let .augmentation(augmentation):
            if let problem = AugmentationLayer.inputProblem(spec: augmentation, inputShape: shape) { throw fail(problem) }
            layer = AugmentationLayer(name: name, spec: augmentation, inputShape: shape)
        case let .batchNormalization(bn):
            layer = BatchNormalizationLayer(name: name, spec: bn, inputShape: shape)
        case let .layerNormalization(ln):
            layer = LayerNormalizationLayer(name: name, spec: ln, inputShape: shape)
        case let .simpleRNN(rnn):
            layer = try Self.atSpecPath(layerSpec, file: file) { () throws(ModelError) in
                try SimpleRNNLayer(name: name, spec: rnn, inputShape: shape)
            }
        case let .lstm(rnn):
            layer = try Self.atSpecPath(layerSpec, file: file) { () throws(ModelError) in
                try LSTMLayer(name: name, spec: rnn, inputShape: shape)
            }
        case let .gru(rnn):
            layer = try Self.atSpecPath(layerSpec, file: file) { () throws(ModelError) in
                try GRULayer(name: name, spec: rnn, inputShape: shape)
            }
        case let .residual(block):
            var inner: [any Layer] = []
            var innerShape = shape
            for innerSpec in block.layers {
                let l = try buildLayer(innerSpec, inputShape: innerShape, first: false, dropouts: &dropouts, file: file)
                inner.append(l)
                innerShape = l.outputShape
            }
            layer = try Self.atSpecPath(layerSpec, file: file) { () throws(ModelError) in
                try ResidualLayer(name: name, inputShape: shape, layers: inner)
            }
        }
        for p in layer.parameters { try Self.checkSize(p.shape, path: layerSpec.path, file: file) }
        try Self.checkSize(layer.outputShape, path: layerSpec.path, file: file)
        return layer
    }

    /// Runs a layer initialiser that validates its input, reporting its error at the
    /// layer's path in the spec (the initialiser only knows the layer's name).
    static func atSpecPath(_ layerSpec: LayerSpec, file: String?,
                           _ build: () throws(ModelError) -> any Layer) throws(ModelError) -> any Layer {
        do {
            return try build()
        } catch {
            var located = error
            located.file = file
            located.path = layerSpec.path
            if !located.message.hasPrefix(layerSpec.name + ":") {
                located.message = "\(layerSpec.name): \(located.message)"
            }
            throw located
        }
    }

    /// A model from layers built in code: custom ``Layer`` conformances included.
    ///
    /// - Throws: ``ModelError`` when a layer's input shape is not the previous layer's
    ///   output shape, two layers share a name, or the loss does not fit the output.
    public init(name: String, inputShape: [Int], layers: [any Layer], loss: LossSpec) throws(ModelError) {
        var shape = inputShape
        var names = Set<String>()
        for (i, layer) in layers.enumerated() {
            guard layer.inputShape == shape else {
                throw ModelError(path: "layers[\(i)]", "\(layer.name): built for input shape \(layer.inputShape), but receives \(shape)")
            }
            guard names.insert(layer.name).inserted else {
                throw ModelError(path: "layers[\(i)]", "two layers are named \"\(layer.name)\"")
            }
            shape = layer.outputShape
        }
        try self.init(name: name, inputShape: inputShape, layers: layers, loss: loss, spec: nil, file: nil)
    }

    private init(name: String, inputShape: [Int], layers: [any Layer], loss lossSpec: LossSpec,
                 spec: ModelSpec?, file: String?) throws(ModelError) {
        var parameters: [ParameterDescriptor] = []
        var ranges: [Range<Int>] = []
        for layer in layers {
            let start = parameters.count
            parameters.append(contentsOf: layer.parameters)
            ranges.append(start..<parameters.count)
        }
        self.name = name
        self.inputShape = inputShape
        self.spec = spec
        self.layers = layers
        self.parameters = parameters
        self.parameterRanges = ranges
        self.loss = Loss(lossSpec)
        self.fusesFinalActivation = layers.last.map { Loss(lossSpec).fuses($0.outputActivation) } ?? false
        try checkLossFitsOutput(file: file)
    }

    /// Rejects shapes whose element count does not fit comfortably in memory arithmetic
    /// (a spec can ask for `units: 1e15`): the product must stay below 2^40.
    static func checkSize(_ shape: [Int], path: String, file: String?) throws(ModelError) {
        var total = 1
        for d in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !overflow, product < 1 << 40 else {
                throw ModelError(file: file, path: path, "shape \(shape) is too large (more than 2^40 elements)")
            }
            total = product
        }
    }

    private func checkLossFitsOutput(file: String?) throws(ModelError) {
        let classes = outputShape.last ?? 1
        switch loss.spec.kind {
        case .sparseCategoricalCrossentropy, .categoricalCrossentropy:
            if classes < 2 {
                throw ModelError(file: file, path: "loss",
                    "\(loss.spec.kind) needs an output of at least 2 classes; the model's output is \(outputShape)")
            }
        default: break
        }
    }

    /// Fresh parameters drawn by each parameter's initialiser. Each parameter draws from
    /// its own stream of `seed`, named by the parameter, so adding a layer does not change
    /// the others' values.
    public func initialParameters<S: TensorScalar>(seed: UInt64, as _: S.Type = S.self) -> ParameterSet<S> {
        var set = ParameterSet<S>()
        for p in parameters {
            var rng = SeededRNG(seed: seed, name: p.name)
            var tensor: Tensor<S> = p.initializer.makeTensor(shape: p.shape, rng: &rng)
            if let ones = p.initialOnes { for i in ones { tensor.scalars[i] = 1 } }
            set[p.name] = tensor
        }
        return set
    }

    /// The parameter tensors of `set` in model order.
    ///
    /// - Throws: ``ModelError`` for a missing, extra or misshaped parameter, naming it
    ///   and the shape expected.
    public func orderedTensors<S: TensorScalar>(_ set: ParameterSet<S>, file: String? = nil) throws(ModelError) -> [Tensor<S>] {
        let known = Set(parameters.map(\.name))
        for name in set.names where !known.contains(name) {
            throw ModelError(file: file, path: "parameters[\"\(name)\"]",
                "the model has no parameter of that name (it has \(parameters.map(\.name).joined(separator: ", ")))")
        }
        var out: [Tensor<S>] = []
        for p in parameters {
            guard let t = set[p.name] else {
                throw ModelError(file: file, path: "parameters", "missing parameter \"\(p.name)\" of shape \(p.shape)")
            }
            guard t.shape == p.shape else {
                throw ModelError(file: file, path: "parameters[\"\(p.name)\"].shape",
                    "expected \(p.shape) (\(p.layer)), got \(t.shape)")
            }
            out.append(t)
        }
        return out
    }

    /// Checks a batch's inputs against ``inputShape``, and, when the first layer is an
    /// `embedding`, that every input is a token id (an integer in `0..<input_dim`).
    public func checkInputs<S: TensorScalar>(_ inputs: Tensor<S>, file: String? = nil) throws(ModelError) {
        guard inputs.rank == inputShape.count + 1, Array(inputs.shape.dropFirst()) == inputShape, inputs.shape[0] > 0 else {
            throw ModelError(file: file, path: "inputs.shape",
                "expected [batch] + \(inputShape) with batch ≥ 1, got \(inputs.shape)")
        }
        if let embedding = layers.first as? EmbeddingLayer, let bad = embedding.firstInvalidID(in: inputs) {
            throw ModelError(file: file, path: "inputs.values[\(bad.index)]", bad.message)
        }
    }

    /// Reads a batch's targets in the form the loss takes.
    ///
    /// Sparse labels may be `[batch]` (plus any positions of a sequence output) or end in a
    /// trailing axis of 1; they must be integers in `0..<classes`. Other targets must have
    /// the output's shape.
    ///
    /// - Throws: ``ModelError`` with the path of the offending value.
    public func targets<S: TensorScalar>(from tensor: Tensor<S>, batchSize: Int, file: String? = nil) throws(ModelError) -> Targets<S> {
        let outShape = [batchSize] + outputShape
        if loss.takesLabels {
            let positions = Array(outShape.dropLast())
            guard tensor.shape == positions || tensor.shape == positions + [1] else {
                throw ModelError(file: file, path: "targets.shape",
                    "expected class indices of shape \(positions) for \(loss.spec.kind), got \(tensor.shape)")
            }
            let classes = outputShape.last ?? 1
            var labels: [Int] = []
            labels.reserveCapacity(tensor.count)
            for (i, v) in tensor.scalars.enumerated() {
                guard v.isFinite, v == v.rounded(), v >= 0, v < S(classes) else {
                    throw ModelError(file: file, path: "targets.values[\(i)]",
                        "expected a class index, an integer in 0..<\(classes), got \(v)")
                }
                labels.append(Int(v))
            }
            return .labels(labels)
        }
        guard tensor.shape == outShape else {
            throw ModelError(file: file, path: "targets.shape",
                "expected the output's shape \(outShape) for \(loss.spec.kind), got \(tensor.shape)")
        }
        if case .categoricalCrossentropy = loss.spec.kind {
            for (i, v) in tensor.scalars.enumerated() where !(v >= 0 && v <= 1) {
                throw ModelError(file: file, path: "targets.values[\(i)]", "expected a class probability in [0, 1], got \(v)")
            }
        }
        if case .binaryCrossentropy = loss.spec.kind {
            for (i, v) in tensor.scalars.enumerated() where !(v >= 0 && v <= 1) {
                throw ModelError(file: file, path: "targets.values[\(i)]", "expected a binary target in [0, 1], got \(v)")
            }
        }
        return .values(tensor)
    }
}
