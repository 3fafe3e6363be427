/// The configuration of a `multi_head_attention` layer (Keras 3 `MultiHeadAttention`),
/// with Keras names and defaults.
///
/// Parameters (Keras names and shapes): `query/kernel` `[d_query, heads, key_dim]`,
/// `query/bias` `[heads, key_dim]`, the same for `key` (from `d_key`) and `value`
/// (`value_dim`), `attention_output/kernel` `[heads, value_dim, d_query]` and
/// `attention_output/bias` `[d_query]`; the biases only with `use_bias`.
public struct MultiHeadAttentionSpec: Sendable, Equatable, Hashable {
    /// The number of attention heads (key `num_heads`, > 0; required).
    public var numHeads: Int
    /// The size of each head's query and key (key `key_dim`, > 0; required).
    public var keyDim: Int
    /// The size of each head's value (key `value_dim`, default `key_dim`).
    public var valueDim: Int
    /// Whether the projections have biases (key `use_bias`, default `true`).
    public var useBias: Bool
    /// Whether query step `i` may only attend to key steps `j ≤ i` (key
    /// `use_causal_mask`, default `false`; a call argument in Keras).
    public var useCausalMask: Bool
    /// Dropout on the attention probabilities (default 0; only 0 is supported).
    public var dropout: Double
    /// How the kernels start (default ``InitializerSpec/glorotUniform``).
    public var kernelInitializer: InitializerSpec
    /// How the biases start (default ``InitializerSpec/zeros``).
    public var biasInitializer: InitializerSpec
    /// A penalty on every kernel.
    public var kernelRegularizer: RegularizerSpec?
    /// A penalty on every bias.
    public var biasRegularizer: RegularizerSpec?
    /// A penalty on the layer's output (divided by the batch size).
    public var activityRegularizer: RegularizerSpec?

    /// An attention configuration; everything but `numHeads` and `keyDim` has the Keras default.
    public init(numHeads: Int, keyDim: Int, valueDim: Int? = nil, useBias: Bool = true, useCausalMask: Bool = false,
                dropout: Double = 0, kernelInitializer: InitializerSpec = .glorotUniform,
                biasInitializer: InitializerSpec = .zeros, kernelRegularizer: RegularizerSpec? = nil,
                biasRegularizer: RegularizerSpec? = nil, activityRegularizer: RegularizerSpec? = nil) {
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim ?? keyDim
        self.useBias = useBias
        self.useCausalMask = useCausalMask
        self.dropout = dropout
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
    }

    static let keys = [
        "num_heads", "key_dim", "value_dim", "use_bias", "use_causal_mask", "dropout", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    ]

    /// - Throws: ``SpecError`` for a bad value, and for `dropout` above 0 (attention
    ///   dropout is not supported yet).
    static func decode(_ r: ObjectReader) throws(SpecError) -> MultiHeadAttentionSpec {
        let keyDim = try r.require("key_dim", Read.positiveInt)
        let dropout = try r.get("dropout", default: 0, Read.number(.unitHalfOpen))
        if dropout > 0 {
            throw r.error("dropout", "dropout on attention probabilities is not supported yet; use 0 (or a dropout layer after the attention)")
        }
        return MultiHeadAttentionSpec(
            numHeads: try r.require("num_heads", Read.positiveInt),
            keyDim: keyDim,
            valueDim: try r.optional("value_dim", Read.positiveInt),
            useBias: try r.get("use_bias", default: true, Read.bool),
            useCausalMask: try r.get("use_causal_mask", default: false, Read.bool),
            dropout: dropout,
            kernelInitializer: try r.get("kernel_initializer", default: .glorotUniform, InitializerSpec.decode),
            biasInitializer: try r.get("bias_initializer", default: .zeros, InitializerSpec.decode),
            kernelRegularizer: try r.optional("kernel_regularizer", RegularizerSpec.decode),
            biasRegularizer: try r.optional("bias_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
    }

    /// Writes `num_heads`, `key_dim`, `value_dim` and `use_causal_mask` always, the rest
    /// where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["num_heads"] = .integer(numHeads)
        o["key_dim"] = .integer(keyDim)
        o["value_dim"] = .integer(valueDim)
        o["use_causal_mask"] = .bool(useCausalMask)
        if !useBias { o["use_bias"] = false }
        if dropout != 0 { o["dropout"] = .number(dropout) }
        if kernelInitializer != .glorotUniform { o["kernel_initializer"] = kernelInitializer.jsonValue }
        if biasInitializer != .zeros { o["bias_initializer"] = biasInitializer.jsonValue }
        if let kernelRegularizer { o["kernel_regularizer"] = kernelRegularizer.jsonValue }
        if let biasRegularizer { o["bias_regularizer"] = biasRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
