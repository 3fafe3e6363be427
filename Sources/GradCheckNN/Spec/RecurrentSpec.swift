/// The configuration of a recurrent layer, `simple_rnn`, `lstm` or `gru`, with Keras 3
/// names and defaults. One struct serves the three; the keys a type does not have keep
/// their defaults (`recurrentActivation` for `simple_rnn`, `unitForgetBias` outside
/// `lstm`, `resetAfter` outside `gru`).
///
/// The input is `[timesteps, features]` per sample, the state starts at zero, and the
/// output is the last state `[units]`, or every state `[timesteps, units]` with
/// `returnSequences`. Parameters (FORMATS.md): `kernel` `[features, g·units]`,
/// `recurrent_kernel` `[units, g·units]` and `bias` `[g·units]` (`[2, 3·units]` for
/// `gru`), with `g` = 1 (`simple_rnn`), 4 (`lstm`, gates i, f, c, o) or 3 (`gru`, gates
/// z, r, h).
public struct RecurrentSpec: Sendable, Equatable, Hashable {
    /// The size of the state (> 0).
    public var units: Int
    /// The activation of the state / candidate (default ``ActivationSpec/tanh``).
    public var activation: ActivationSpec
    /// The activation of the gates, `lstm` and `gru` only (default ``ActivationSpec/sigmoid``).
    public var recurrentActivation: ActivationSpec
    /// Whether the layer has a bias (key `use_bias`, default `true`).
    public var useBias: Bool
    /// Whether the output is every timestep's state (default `false`: the last one).
    public var returnSequences: Bool
    /// How the input kernel starts (default ``InitializerSpec/glorotUniform``).
    public var kernelInitializer: InitializerSpec
    /// How the recurrent kernel starts (default ``InitializerSpec/orthogonal(gain:)`` with gain 1).
    public var recurrentInitializer: InitializerSpec
    /// How the bias starts (default ``InitializerSpec/zeros``).
    public var biasInitializer: InitializerSpec
    /// `lstm` only: add 1 to the forget gate's bias at initialisation (default `true`).
    public var unitForgetBias: Bool
    /// `gru` only: apply the reset gate after the recurrent matrix product (default `true`,
    /// the Keras 3 default and the only form supported; `false` is rejected when decoding).
    public var resetAfter: Bool
    /// A penalty on the input kernel.
    public var kernelRegularizer: RegularizerSpec?
    /// A penalty on the recurrent kernel.
    public var recurrentRegularizer: RegularizerSpec?
    /// A penalty on the bias.
    public var biasRegularizer: RegularizerSpec?
    /// A penalty on the layer's output (divided by the batch size).
    public var activityRegularizer: RegularizerSpec?

    /// A recurrent configuration; everything but `units` has the Keras default.
    public init(units: Int, activation: ActivationSpec = .tanh, recurrentActivation: ActivationSpec = .sigmoid,
                useBias: Bool = true, returnSequences: Bool = false,
                kernelInitializer: InitializerSpec = .glorotUniform,
                recurrentInitializer: InitializerSpec = .orthogonal(), biasInitializer: InitializerSpec = .zeros,
                unitForgetBias: Bool = true, resetAfter: Bool = true,
                kernelRegularizer: RegularizerSpec? = nil, recurrentRegularizer: RegularizerSpec? = nil,
                biasRegularizer: RegularizerSpec? = nil, activityRegularizer: RegularizerSpec? = nil) {
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.returnSequences = returnSequences
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        self.unitForgetBias = unitForgetBias
        self.resetAfter = resetAfter
        self.kernelRegularizer = kernelRegularizer
        self.recurrentRegularizer = recurrentRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
    }

    /// The keys every recurrent type accepts besides `type` and `name`.
    static let commonKeys = [
        "units", "activation", "use_bias", "return_sequences", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
    ]

    /// The keys of `simple_rnn`, `lstm` or `gru`.
    static func keys(for type: String) -> [String] {
        switch type {
        case "lstm": return commonKeys + ["recurrent_activation", "unit_forget_bias"]
        case "gru": return commonKeys + ["recurrent_activation", "reset_after"]
        default: return commonKeys
        }
    }

    /// Reads the keys of a `simple_rnn`, `lstm` or `gru` layer object whose allowed keys
    /// were already checked.
    ///
    /// - Throws: ``SpecError`` for a bad value, and for `reset_after: false` on a `gru`.
    static func decode(_ r: ObjectReader, type: String) throws(SpecError) -> RecurrentSpec {
        let resetAfter = try r.get("reset_after", default: true, Read.bool)
        if !resetAfter {
            throw r.error("reset_after", "reset_after false (the Keras 2 GRU, reset gate before the recurrent product) "
                + "is not supported; only reset_after true, the Keras 3 default, is")
        }
        return RecurrentSpec(
            units: try r.require("units", Read.positiveInt),
            activation: try r.get("activation", default: .tanh, ActivationSpec.decode),
            recurrentActivation: try r.get("recurrent_activation", default: .sigmoid, ActivationSpec.decode),
            useBias: try r.get("use_bias", default: true, Read.bool),
            returnSequences: try r.get("return_sequences", default: false, Read.bool),
            kernelInitializer: try r.get("kernel_initializer", default: .glorotUniform, InitializerSpec.decode),
            recurrentInitializer: try r.get("recurrent_initializer", default: .orthogonal(), InitializerSpec.decode),
            biasInitializer: try r.get("bias_initializer", default: .zeros, InitializerSpec.decode),
            unitForgetBias: try r.get("unit_forget_bias", default: true, Read.bool),
            resetAfter: resetAfter,
            kernelRegularizer: try r.optional("kernel_regularizer", RegularizerSpec.decode),
            recurrentRegularizer: try r.optional("recurrent_regularizer", RegularizerSpec.decode),
            biasRegularizer: try r.optional("bias_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
    }

    /// Writes `units`, `activation` and `return_sequences` always (and
    /// `recurrent_activation` for `lstm` / `gru`), the rest where they differ from the defaults.
    func encode(into o: inout JSONObject, type: String) {
        o["units"] = .integer(units)
        o["activation"] = activation.jsonValue
        if type != "simple_rnn" { o["recurrent_activation"] = recurrentActivation.jsonValue }
        o["return_sequences"] = .bool(returnSequences)
        if !useBias { o["use_bias"] = false }
        if kernelInitializer != .glorotUniform { o["kernel_initializer"] = kernelInitializer.jsonValue }
        if recurrentInitializer != .orthogonal() { o["recurrent_initializer"] = recurrentInitializer.jsonValue }
        if biasInitializer != .zeros { o["bias_initializer"] = biasInitializer.jsonValue }
        if type == "lstm" && !unitForgetBias { o["unit_forget_bias"] = false }
        if let kernelRegularizer { o["kernel_regularizer"] = kernelRegularizer.jsonValue }
        if let recurrentRegularizer { o["recurrent_regularizer"] = recurrentRegularizer.jsonValue }
        if let biasRegularizer { o["bias_regularizer"] = biasRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
