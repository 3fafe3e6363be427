/// How a `conv1d` layer pads its input along time.
///
/// - `valid`: no padding.
/// - `same`: TensorFlow's padding, on the dilated kernel's span `d · (k − 1) + 1`.
/// - `causal`: `dilation_rate · (kernel_size − 1)` zeros on the left only, so output step
///   `t` depends on input steps `≤ t` (Keras `padding="causal"`).
public enum Conv1DPadding: String, Sendable, Equatable, Hashable, CaseIterable {
    /// No padding.
    case valid
    /// TensorFlow `same` padding.
    case same
    /// Left padding only.
    case causal

    static func decode(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Conv1DPadding {
        guard case let .string(s) = v else { throw Read.fail(#""valid", "same" or "causal""#, v, path, file) }
        if let p = Conv1DPadding(rawValue: s) { return p }
        try Read.typeName(s, among: allCases.map(\.rawValue), what: "padding", aliases: ["full": "same"], path: path, file: file)
        return .valid
    }
}

extension Read {
    /// A positive integer, or an array of exactly one (Keras writes 1-D sizes as `[3]`).
    static func positiveSingle(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Int {
        if let n = v.intValue {
            guard n >= 1 else { throw fail("a positive integer", v, path, file) }
            return n
        }
        guard case let .array(elements) = v, elements.count == 1 else {
            throw fail("a positive integer (or an array of one)", v, path, file)
        }
        return try positiveInt(elements[0], SpecPath.index(path, 0), file)
    }
}

/// The configuration of a `conv1d` layer on `[timesteps, channels]`, with Keras 3 names
/// and defaults. The kernel is `[kernel_size, in_channels, filters]`.
public struct Conv1DSpec: Sendable, Equatable, Hashable {
    /// The number of output channels (> 0).
    public var filters: Int
    /// The kernel's length in steps (key `kernel_size`; required).
    public var kernelSize: Int
    /// The step of the window (key `strides`, default 1).
    public var strides: Int
    /// `valid` (default), `same` or `causal`.
    public var padding: Conv1DPadding
    /// The step between the inputs one kernel reads (key `dilation_rate`, default 1).
    /// As in Keras, `strides` and `dilation_rate` cannot both exceed 1.
    public var dilationRate: Int
    /// The activation applied to the output (default ``ActivationSpec/linear``).
    public var activation: ActivationSpec
    /// Whether the layer has a bias `[filters]` (key `use_bias`, default `true`).
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

    /// A conv1d configuration; everything but `filters` and `kernelSize` has the Keras default.
    public init(filters: Int, kernelSize: Int, strides: Int = 1, padding: Conv1DPadding = .valid, dilationRate: Int = 1,
                activation: ActivationSpec = .linear, useBias: Bool = true,
                kernelInitializer: InitializerSpec = .glorotUniform, biasInitializer: InitializerSpec = .zeros,
                kernelRegularizer: RegularizerSpec? = nil, biasRegularizer: RegularizerSpec? = nil,
                activityRegularizer: RegularizerSpec? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
    }

    /// The keys a conv1d layer object accepts besides `type` and `name`.
    static let keys = [
        "filters", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    ]

    /// - Throws: ``SpecError`` for a bad value, and for `strides` and `dilation_rate` both
    ///   above 1 (Keras rejects that too).
    static func decode(_ r: ObjectReader) throws(SpecError) -> Conv1DSpec {
        let spec = Conv1DSpec(
            filters: try r.require("filters", Read.positiveInt),
            kernelSize: try r.require("kernel_size", Read.positiveSingle),
            strides: try r.get("strides", default: 1, Read.positiveSingle),
            padding: try r.get("padding", default: .valid, Conv1DPadding.decode),
            dilationRate: try r.get("dilation_rate", default: 1, Read.positiveSingle),
            activation: try r.get("activation", default: .linear, ActivationSpec.decode),
            useBias: try r.get("use_bias", default: true, Read.bool),
            kernelInitializer: try r.get("kernel_initializer", default: .glorotUniform, InitializerSpec.decode),
            biasInitializer: try r.get("bias_initializer", default: .zeros, InitializerSpec.decode),
            kernelRegularizer: try r.optional("kernel_regularizer", RegularizerSpec.decode),
            biasRegularizer: try r.optional("bias_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
        if spec.strides > 1 && spec.dilationRate > 1 {
            throw r.error("dilation_rate", "strides \(spec.strides) and dilation_rate \(spec.dilationRate) cannot both exceed 1 (as in Keras)")
        }
        return spec
    }

    /// Writes `filters`, `kernel_size`, `strides`, `padding`, `dilation_rate` and
    /// `activation` always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["filters"] = .integer(filters)
        o["kernel_size"] = .integer(kernelSize)
        o["strides"] = .integer(strides)
        o["padding"] = .string(padding.rawValue)
        o["dilation_rate"] = .integer(dilationRate)
        o["activation"] = activation.jsonValue
        if !useBias { o["use_bias"] = false }
        if kernelInitializer != .glorotUniform { o["kernel_initializer"] = kernelInitializer.jsonValue }
        if biasInitializer != .zeros { o["bias_initializer"] = biasInitializer.jsonValue }
        if let kernelRegularizer { o["kernel_regularizer"] = kernelRegularizer.jsonValue }
        if let biasRegularizer { o["bias_regularizer"] = biasRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
