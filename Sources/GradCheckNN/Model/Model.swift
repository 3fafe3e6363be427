import GradCheckAutograd
import GradCheckTensor

/// A model: a directed acyclic graph of named layers over named inputs, with shapes
/// inferred and checked, its parameters in order, and its loss. Built from a
/// `gradcheck.model/1` spec, or from layers in code (custom layers included).
///
/// A sequential spec is the chain special case: each layer takes the previous one's
/// output. In a graph, layer `i` takes ``layerInputs``[i] (model inputs or earlier
/// layers); ``layers`` are in topological order (the spec's order whenever that is one),
/// and every layer lies on the way to the output, which is the last layer.
///
/// A batch of a model with several inputs travels as one tensor, each sample's inputs
/// packed one after another in input order (``inputShape``); ``splitInputs(_:)`` and
/// ``packInputs(_:file:)`` convert.
///
/// `Model` holds no parameter values: pass a ``ParameterSet`` (from
/// ``initialParameters(seed:)`` or a weights file) to each call, in `Float` or `Double`.
public struct Model: Sendable {
    /// The model's name.
    public let name: String
    /// The model inputs, in order.
    public let inputs: [ModelInput]
    /// The shape of one sample of a batch: the only input's shape, or with several inputs
    /// `[n]`, their values packed one after another (`n` is the sum of their sizes).
    public let inputShape: [Int]
    /// The spec the model was built from, if it was.
    public let spec: ModelSpec?
    /// The layers, in topological order (a chain's order).
    public let layers: [any Layer]
    /// For each layer, what it takes, in the order of its ``Layer/inputShapes``.
    public let layerInputs: [[GraphSource]]
    /// For each layer, the layers that take its output (in layer order).
    public let consumers: [[Int]]
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
    /// Whether every model input is integer indices (token ids for `embedding` layers):
    /// then no gradient is taken with respect to the inputs.
    public var takesIndices: Bool { inputs.allSatisfy(\.isInteger) }
    /// The positions in ``inputs`` of the float (differentiable) inputs.
    public var floatInputs: [Int] { inputs.indices.filter { !inputs[$0].isInteger } }
    /// Whether every layer treats samples independently (the verifier's fast input path).
    public var isSampleIndependent: Bool { layers.allSatisfy(\.isSampleIndependent) }
    /// Whether the model is a chain: one input, and each layer takes the previous one's output.
    public var isChain: Bool {
        inputs.count == 1 && layerInputs.enumerated().allSatisfy { i, s in s == [i == 0 ? .input(0) : .layer(i - 1)] }
    }

    /// Builds the model, wiring the graph and inferring each layer's shapes.
    ///
    /// - Throws: ``ModelError`` naming the layer's path and what is wrong: a layer that
    ///   cannot take its input (a reshape to a different element count, merge inputs of
    ///   different shapes, a wrong number of inputs), an input name that is defined nowhere,
    ///   a cycle, a layer or input never used on the way to the output, or token ids fed
    ///   to a layer that is not an `embedding`.
    public init(spec: ModelSpec, file: String? = nil) throws(ModelError) {
        let graph = try GraphBuilder(spec: spec, file: file).build()
        try self.init(name: spec.name, inputs: graph.inputs, layers: graph.layers, layerInputs: graph.layerInputs,
                      loss: spec.loss, spec: spec, file: file)
    }

    /// Builds one layer of a spec for its inputs' per-sample shapes, checking that it can
    /// take them (inner layers of a `residual` block included, recursively).
    ///
    /// - Parameters:
    ///   - takesIDs: whether the layer's only input is an integer model input (the only
    ///     place an `embedding`, which takes token ids, may be); `idSource` describes the
    ///     input otherwise, for the error.
    ///   - dropouts: the dropout layers built so far, in model order (each one's ordinal
    ///     seeds its mask).
    /// - Throws: ``ModelError`` at the layer's path naming the layer, its input shape and
    ///   what it needs.
    static func buildLayer(_ layerSpec: LayerSpec, inputShapes: [[Int]], takesIDs: Bool, idSource: String,
                           dropouts: inout Int, file: String?) throws(ModelError) -> any Layer {
        let name = layerSpec.name
        func fail(_ message: String) -> ModelError {
            ModelError(file: file, path: layerSpec.path, "\(name): \(message)")
        }
        var isMerge = false, isAttention = false
        if case .merge = layerSpec.kind { isMerge = true }
        if case let .multiHeadAttention(attention) = layerSpec.kind {
            // [query], [query, value] or [query, value, key] (the key defaults to the value).
            guard (1...3).contains(inputShapes.count) else {
                throw fail("multi_head_attention takes [query], [query, value] or [query, value, key], got \(inputShapes.count) inputs")
            }
            isAttention = true
            if inputShapes.count > 1 {
                let value = inputShapes[1], key = inputShapes.count > 2 ? inputShapes[2] : inputShapes[1]
                if let problem = MultiHeadAttentionLayer.inputProblem(queryShape: inputShapes[0], valueShape: value, keyShape: key) {
                    throw fail(problem)
                }
                let layer = MultiHeadAttentionLayer(name: name, spec: attention, queryShape: inputShapes[0], valueShape: value,
                                                    keyShape: inputShapes.count > 2 ? key : nil)
                for p in layer.parameters { try Self.checkSize(p.shape, path: layerSpec.path, file: file) }
                return layer
            }
        }
        guard isMerge || isAttention || inputShapes.count == 1 else {
            throw fail("a \(layerSpec.typeName) layer takes one input, got \(inputShapes.count) (\(layerSpec.inputs ?? []))")
        }
        let shape = inputShapes[0]
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
            guard takesIDs else {
                throw fail("takes integer token ids, so it must be the model's first layer or take an int model input "
                    + "(its input here is \(idSource))")
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
        case let .merge(merge):
            if let problem = MergeLayer.inputProblem(spec: merge, inputShapes: inputShapes) { throw fail(problem) }
            layer = MergeLayer(name: name, spec: merge, inputShapes: inputShapes)
        case .conv1D, .maxPooling1D, .averagePooling1D, .globalAveragePooling1D, .globalMaxPooling1D,
             .globalMaxPooling2D, .rmsNormalization, .groupNormalization, .bidirectional, .multiHeadAttention:
            layer = try Self.buildSequenceLayer(layerSpec, inputShape: shape, file: file)
        case let .residual(block):
            var inner: [any Layer] = []
            var innerShape = shape
            for innerSpec in block.layers {
                let l = try buildLayer(innerSpec, inputShapes: [innerShape], takesIDs: false,
                                       idSource: "the output \(innerShape) of another layer", dropouts: &dropouts, file: file)
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

    /// A chain model from layers built in code: custom ``Layer`` conformances included.
    /// Its one input is named `input`.
    ///
    /// - Throws: ``ModelError`` when a layer's input shape is not the previous layer's
    ///   output shape, two layers share a name, or the loss does not fit the output.
    public init(name: String, inputShape: [Int], layers: [any Layer], loss: LossSpec) throws(ModelError) {
        let isInteger = layers.first?.takesIndices ?? false
        try self.init(name: name,
                      inputs: [ModelInput(name: ModelInputSpec.defaultName, shape: inputShape, isInteger: isInteger)],
                      layers: layers, layerInputs: layers.indices.map { [$0 == 0 ? .input(0) : .layer($0 - 1)] },
                      loss: loss)
    }

    /// A graph model from layers built in code.
    ///
    /// - Parameters:
    ///   - inputs: the model inputs (their offsets are recomputed in order).
    ///   - layers: the layers in a topological order; the last one is the output.
    ///   - layerInputs: what each layer takes, in the order of its ``Layer/inputShapes``.
    /// - Throws: ``ModelError`` when a layer takes a later layer or itself, an input shape
    ///   does not match, a layer other than the last is never used, two layers share a
    ///   name, an integer input feeds a layer that does not take indices, or the loss does
    ///   not fit the output.
    public init(name: String, inputs: [ModelInput], layers: [any Layer], layerInputs: [[GraphSource]],
                loss: LossSpec) throws(ModelError) {
        guard !inputs.isEmpty, layerInputs.count == layers.count else {
            throw ModelError(path: "layers", "a model needs at least one input and one list of inputs per layer")
        }
        var names = Set(inputs.map(\.name))
        guard names.count == inputs.count else { throw ModelError(path: "inputs", "two inputs share a name") }
        var used = [Bool](repeating: false, count: inputs.count + layers.count)
        for (i, layer) in layers.enumerated() {
            let path = "layers[\(i)]"
            guard names.insert(layer.name).inserted else {
                throw ModelError(path: path, "two layers (or a layer and an input) are named \"\(layer.name)\"")
            }
            var shapes: [[Int]] = []
            for source in layerInputs[i] {
                switch source {
                case let .input(k):
                    guard inputs.indices.contains(k) else { throw ModelError(path: path, "\(layer.name): takes input \(k), which does not exist") }
                    guard !inputs[k].isInteger || layer.takesIndices else {
                        throw ModelError(path: path, "\(layer.name): input \"\(inputs[k].name)\" holds integer ids; only an embedding can take it")
                    }
                    shapes.append(inputs[k].shape)
                    used[k] = true
                case let .layer(j):
                    guard j >= 0, j < i else {
                        throw ModelError(path: path, "\(layer.name): takes layer \(j), which is not an earlier layer")
                    }
                    shapes.append(layers[j].outputShape)
                    used[inputs.count + j] = true
                }
            }
            guard layer.inputShapes == shapes else {
                throw ModelError(path: path, "\(layer.name): built for input shapes \(layer.inputShapes), but receives \(shapes)")
            }
        }
        for (k, input) in inputs.enumerated() where !used[k] {
            throw ModelError(path: "inputs[\(k)]", "input \"\(input.name)\" is never used")
        }
        for i in layers.indices.dropLast() where !used[inputs.count + i] {
            throw ModelError(path: "layers[\(i)]", "\(layers[i].name): its output is never used on the way to the output \"\(layers.last!.name)\"")
        }
        try self.init(name: name, inputs: inputs, layers: layers, layerInputs: layerInputs, loss: loss, spec: nil, file: nil)
    }

    private init(name: String, inputs: [ModelInput], layers: [any Layer], layerInputs: [[GraphSource]],
                 loss lossSpec: LossSpec, spec: ModelSpec?, file: String?) throws(ModelError) {
        var parameters: [ParameterDescriptor] = []
        var ranges: [Range<Int>] = []
        for layer in layers {
            let start = parameters.count
            parameters.append(contentsOf: layer.parameters)
            ranges.append(start..<parameters.count)
        }
        var placed: [ModelInput] = []
        var offset = 0
        for input in inputs {
            placed.append(ModelInput(name: input.name, shape: input.shape, isInteger: input.isInteger, offset: offset))
            offset += input.count
        }
        var consumers = [[Int]](repeating: [], count: layers.count)
        for (i, sources) in layerInputs.enumerated() {
            for case let .layer(j) in sources where consumers[j].last != i { consumers[j].append(i) }
        }
        self.name = name
        self.inputs = placed
        self.inputShape = placed.count == 1 ? placed[0].shape : [offset]
        self.spec = spec
        self.layers = layers
        self.layerInputs = layerInputs
        self.consumers = consumers
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
                    "\(loss.spec.kind.typeName) needs an output of at least 2 classes; the model's output is \(outputShape)")
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
        // Every extra, missing and misshaped name is reported at once.
        var problems: [ModelError] = []
        let known = Set(parameters.map(\.name))
        for name in set.names where !known.contains(name) {
            let hint = DidYouMean.hint(for: name, among: parameters.map(\.name))
            problems.append(ModelError(file: file, path: "parameters[\"\(name)\"]",
                "the model has no parameter of that name (it has \(parameters.map(\.name).joined(separator: ", ")))" + hint))
        }
        var out: [Tensor<S>] = []
        for p in parameters {
            guard let t = set[p.name] else {
                problems.append(ModelError(file: file, path: "parameters", "missing parameter \"\(p.name)\" of shape \(p.shape)"))
                continue
            }
            guard t.shape == p.shape else {
                problems.append(ModelError(file: file, path: "parameters[\"\(p.name)\"].shape",
                    "expected \(p.shape) (\(p.layer)), got \(t.shape)"))
                continue
            }
            out.append(t)
        }
        if var first = problems.first {
            first.others = Array(problems.dropFirst())
            throw first
        }
        return out
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
                    "expected class indices of shape \(positions) for \(loss.spec.kind.typeName), got \(tensor.shape)")
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
                "expected the output's shape \(outShape) for \(loss.spec.kind.typeName), got \(tensor.shape)")
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
