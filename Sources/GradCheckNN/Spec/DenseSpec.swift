/// The configuration of a `dense` layer, with Keras 3 defaults.
public struct DenseSpec: Sendable, Equatable, Hashable {
    /// The number of output units (> 0).
    public var units: Int
    /// The activation applied to the output (default ``ActivationSpec/linear``).
    public var activation: ActivationSpec
    /// Whether the layer has a bias (key `use_bias`, default `true`).
    public var useBias: Bool
    /// How the kernel starts (default ``InitializerSpec/glorotUniform``).
    public var kernelInitializer: InitializerSpec
    /// How the bias starts (default ``InitializerSpec/zeros``).
    public var biasInitializer: InitializerSpec
    /// A penalty on the kernel.
    public var kernelRegularizer: RegularizerSpec?
    /// A penalty on the bias.
    public var biasRegularizer: RegularizerSpec?
    /// A penalty on the layer's output (divided by the batch size).
    public var activityRegularizer: RegularizerSpec?

    /// A dense layer configuration; everything but `units` has the Keras default.
    public init(units: Int, activation: ActivationSpec = .linear, useBias: Bool = true,
                kernelInitializer: InitializerSpec = .glorotUniform, biasInitializer: InitializerSpec = .zeros,
                kernelRegularizer: RegularizerSpec? = nil, biasRegularizer: RegularizerSpec? = nil,
                activityRegularizer: RegularizerSpec? = nil) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
    }

    /// The keys a dense layer object accepts besides `type` and `name`.
    static let keys = [
        "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
        "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    ]

    /// Reads the dense keys of a layer object whose allowed keys were already checked.
    static func decode(_ r: ObjectReader) throws(SpecError) -> DenseSpec {
        DenseSpec(
            units: try r.require("units", Read.positiveInt),
            activation: try r.get("activation", default: .linear, ActivationSpec.decode),
            useBias: try r.get("use_bias", default: true, Read.bool),
            kernelInitializer: try r.get("kernel_initializer", default: .glorotUniform, InitializerSpec.decode),
            biasInitializer: try r.get("bias_initializer", default: .zeros, InitializerSpec.decode),
            kernelRegularizer: try r.optional("kernel_regularizer", RegularizerSpec.decode),
            biasRegularizer: try r.optional("bias_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
    }

    /// Writes the dense keys into a layer object: `units` and `activation` always, the
    /// rest only where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["units"] = .integer(units)
        o["activation"] = activation.jsonValue
        if !useBias { o["use_bias"] = false }
        if kernelInitializer != .glorotUniform { o["kernel_initializer"] = kernelInitializer.jsonValue }
        if biasInitializer != .zeros { o["bias_initializer"] = biasInitializer.jsonValue }
        if let kernelRegularizer { o["kernel_regularizer"] = kernelRegularizer.jsonValue }
        if let biasRegularizer { o["bias_regularizer"] = biasRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
