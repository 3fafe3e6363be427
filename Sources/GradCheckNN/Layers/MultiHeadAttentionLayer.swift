import GradCheckAutograd
import GradCheckTensor

/// Keras `MultiHeadAttention` on sequences `[T, d]`.
///
/// With `H` heads of key size `K` and value size `V`, per sample:
///
///     q = query · Wq + bq    k = key · Wk + bk    v = value · Wv + bv      (per head)
///     p = softmax(q · kᵀ / √K)   over the key axis (masked positions: probability 0)
///     output = Σ_h (p · v)_h · Wo_h + bo                                   [Tq, d_query]
///
/// Parameters, in this order (Keras names and shapes): `query/kernel` `[d_query, H, K]`,
/// `query/bias` `[H, K]`, `key/kernel` `[d_key, H, K]`, `key/bias`, `value/kernel`
/// `[d_value, H, V]`, `value/bias` `[H, V]`, `attention_output/kernel` `[H, V, d_query]`,
/// `attention_output/bias` `[d_query]` (biases only with `use_bias`).
///
/// As a ``Layer`` it is self-attention (query, key and value are its one input); a graph
/// wires cross-attention through ``attention(query:value:key:parameters:on:)``. The mask
/// is not a kink: masked scores are constant `−∞`, their probabilities exactly 0.
public struct MultiHeadAttentionLayer: Layer {
    public let name: String
    public var typeName: String { "multi_head_attention" }
    /// The query's per-sample shape `[Tq, d_query]` (the layer's input as a ``Layer``).
    public let inputShape: [Int]
    /// `[Tq, d_query]`.
    public var outputShape: [Int] { inputShape }
    /// The value's per-sample shape `[Tv, d_value]`.
    public let valueShape: [Int]
    /// The key's per-sample shape `[Tv, d_key]`.
    public let keyShape: [Int]
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    /// The number of heads.
    public let numHeads: Int
    /// Each head's query and key size.
    public let keyDim: Int
    /// Each head's value size.
    public let valueDim: Int
    /// Whether the projections have biases.
    public let useBias: Bool
    /// Whether query step `i` attends to key steps `j ≤ i` only.
    public let useCausalMask: Bool
    /// How many inputs a graph wires to the layer: 1 (self-attention), 2 (`[query, value]`)
    /// or 3 (`[query, value, key]`).
    public let inputCount: Int

    /// The result of attention: the layer's output and the attention probabilities
    /// `[batch, heads, Tq, Tv]` (each row sums to 1 over the allowed key steps).
    public struct Result<S: TensorScalar> {
        /// `[batch, Tq, d_query]`.
        public let output: Variable<S>
        /// `[batch, heads, Tq, Tv]`.
        public let probabilities: Variable<S>
    }

    /// What is wrong with the shapes, or `nil` when the layer can take them: each must be
    /// `[T, features]`, the key as long as the value.
    public static func inputProblem(queryShape: [Int], valueShape: [Int], keyShape: [Int]) -> String? {
        for (what, shape) in [("query", queryShape), ("value", valueShape), ("key", keyShape)] where shape.count != 2 {
            return "needs a \(what) of rank 2 (timesteps, features), got \(shape)"
        }
        if keyShape[0] != valueShape[0] {
            return "the key's \(keyShape[0]) timesteps differ from the value's \(valueShape[0])"
        }
        return nil
    }

    /// Builds the layer; `valueShape` and `keyShape` default to the query's (self-attention),
    /// and the key to the value's.
    ///
    /// - Precondition: ``inputProblem(queryShape:valueShape:keyShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: MultiHeadAttentionSpec, queryShape: [Int], valueShape: [Int]? = nil, keyShape: [Int]? = nil) {
        let value = valueShape ?? queryShape, key = keyShape ?? value
        self.inputCount = keyShape != nil ? 3 : (valueShape != nil ? 2 : 1)
        precondition(Self.inputProblem(queryShape: queryShape, valueShape: value, keyShape: key) == nil,
                     "\(name): bad shapes \(queryShape), \(value), \(key)")
        self.name = name
        self.inputShape = queryShape
        self.valueShape = value
        self.keyShape = key
        self.numHeads = spec.numHeads
        self.keyDim = spec.keyDim
        self.valueDim = spec.valueDim
        self.useBias = spec.useBias
        self.useCausalMask = spec.useCausalMask
        self.activityRegularizer = spec.activityRegularizer.map(Regularizer.init)
        let kernelReg = spec.kernelRegularizer.map(Regularizer.init), biasReg = spec.biasRegularizer.map(Regularizer.init)
        var params: [ParameterDescriptor] = []
        func add(_ part: String, kernel: [Int], bias: [Int]) {
            params.append(ParameterDescriptor(name: "\(name)/\(part)/kernel", layer: name, shape: kernel,
                                              initializer: spec.kernelInitializer, regularizer: kernelReg))
            if spec.useBias {
                params.append(ParameterDescriptor(name: "\(name)/\(part)/bias", layer: name, shape: bias,
                                                  initializer: spec.biasInitializer, regularizer: biasReg))
            }
        }
        let h = spec.numHeads
        add("query", kernel: [queryShape[1], h, spec.keyDim], bias: [h, spec.keyDim])
        add("key", kernel: [key[1], h, spec.keyDim], bias: [h, spec.keyDim])
        add("value", kernel: [value[1], h, spec.valueDim], bias: [h, spec.valueDim])
        add("attention_output", kernel: [h, spec.valueDim, queryShape[1]], bias: [queryShape[1]])
        self.parameters = params
    }

    /// Which score positions `[Tq, Tv]` (row-major) a query step may attend to, or `nil`
    /// when every one may.
    public func allowedPositions(queryLength tq: Int, keyLength tv: Int) -> [Bool]? {
        guard useCausalMask else { return nil }
        return (0..<(tq * tv)).map { $0 % tv <= $0 / tv }
    }

    /// Records attention of `query` `[batch, Tq, d_query]` over `value` `[batch, Tv, d_value]`
    /// with `key` `[batch, Tv, d_key]` (default: the value), returning the output and the
    /// attention probabilities.
    ///
    /// - Parameter parameters: one variable per entry of ``parameters``, in order.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func attention<S: TensorScalar>(
        query: Variable<S>, value: Variable<S>, key: Variable<S>? = nil, parameters: [Variable<S>], on tape: Tape<S>
    ) -> Result<S> {
        let steps = attentionSteps(query: query, value: value, key: key, parameters: parameters, on: tape)
        return Result(output: steps.output, probabilities: steps.probabilities)
    }

    /// Every intermediate of one attention pass, for the perturbation fast path.
    struct Steps<S: TensorScalar> {
        /// The projected queries `[batch, Tq, H·K]`, keys `[batch, Tv, H·K]` and values `[batch, Tv, H·V]`.
        let queries: Variable<S>, keys: Variable<S>, values: Variable<S>
        /// The scaled scores, masked positions `−∞` `[batch, H, Tq, Tv]`, and their softmax.
        let scores: Variable<S>, probabilities: Variable<S>
        /// The attention-weighted values `[batch, Tq, H·V]` and the output `[batch, Tq, d_query]`.
        let combined: Variable<S>, output: Variable<S>
    }

    /// The attention pass of ``attention(query:value:key:parameters:on:)``, keeping every step.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    func attentionSteps<S: TensorScalar>(
        query: Variable<S>, value: Variable<S>, key: Variable<S>?, parameters: [Variable<S>], on tape: Tape<S>
    ) -> Steps<S> {
        let key = key ?? value
        let step = useBias ? 2 : 1
        let h = numHeads
        func project(_ x: Variable<S>, _ part: Int, width: Int) -> Variable<S> {
            let kernel = parameters[part * step]
            let features = tape.value(kernel).shape[0]
            var y = tape.matmul(x, tape.reshape(kernel, to: [features, width]))
            if useBias { y = tape.addBias(y, tape.reshape(parameters[part * step + 1], to: [width])) }
            return y
        }
        let q = project(query, 0, width: h * keyDim)
        let k = project(key, 1, width: h * keyDim)
        let v = project(value, 2, width: h * valueDim)
        var scores = tape.attentionScores(q, k, heads: h, scale: scoreScale())
        let tq = tape.value(query).shape[1], tv = tape.value(key).shape[1]
        if let allowed = allowedPositions(queryLength: tq, keyLength: tv) {
            scores = tape.attentionMask(scores, allowed: allowed)
        }
        let p = tape.softmax(scores)
        let combined = tape.attentionCombine(p, v, heads: h)
        let outKernel = parameters[3 * step]
        let dQuery = tape.value(outKernel).shape[2]
        var out = tape.matmul(combined, tape.reshape(outKernel, to: [h * valueDim, dQuery]))
        if useBias { out = tape.addBias(out, parameters[3 * step + 1]) }
        return Steps(queries: q, keys: k, values: v, scores: scores, probabilities: p, combined: combined, output: out)
    }

    /// The score scale `1/√K`.
    func scoreScale<S: TensorScalar>() -> S { 1 / S(Double(keyDim).squareRoot()) }

    /// `[query]`, `[query, value]` or `[query, value, key]`, as a graph wires them.
    public var inputShapes: [[Int]] { Array([inputShape, valueShape, keyShape].prefix(inputCount)) }

    /// Attention over the wired inputs: `[query]` (self-attention), `[query, value]` or
    /// `[query, value, key]` (cross-attention; the key defaults to the value).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        inputs xs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        attention(query: xs[0], value: xs.count > 1 ? xs[1] : xs[0], key: xs.count > 2 ? xs[2] : nil,
                  parameters: parameters, on: tape).output
    }

    /// Self-attention: query, key and value are `x`.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        attention(query: x, value: x, parameters: parameters, on: tape).output
    }
}
