/// How a 2-D window layer (`conv2d`, the pooling layers) pads its input.
///
/// - `valid`: no padding; the output has `floor((n - k) / s) + 1` positions per axis.
/// - `same`: TensorFlow's padding: the output has `ceil(n / s)` positions, the total
///   padding per axis is `max((ceil(n / s) - 1) * s + k - n, 0)`, and the odd one goes at
///   the bottom / right (FORMATS.md "Exact semantics").
public enum Padding: String, Sendable, Equatable, Hashable, CaseIterable {
    /// No padding.
    case valid
    /// TensorFlow `same` padding.
    case same

    static func decode(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Padding {
        guard case let .string(s) = v else { throw Read.fail(#""valid" or "same""#, v, path, file) }
        if let p = Padding(rawValue: s) { return p }
        try Read.typeName(s, among: allCases.map(\.rawValue), what: "padding", aliases: ["full": "same", "causal": "same"],
                          path: path, file: file)
        return .valid
    }
}

extension Read {
    /// A positive integer or a pair of them (`3` or `[3, 2]`), as a pair `[h, w]`.
    static func positivePair(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> [Int] {
        if let n = v.intValue {
            guard n >= 1 else { throw fail("a positive integer or a pair of them", v, path, file) }
            return [n, n]
        }
        guard case let .array(elements) = v, elements.count == 2 else {
            throw fail("a positive integer or a pair of them", v, path, file)
        }
        return [try positiveInt(elements[0], SpecPath.index(path, 0), file),
                try positiveInt(elements[1], SpecPath.index(path, 1), file)]
    }

    /// `[h, w]` as JSON: the single integer when `h == w`.
    static func pairJSON(_ pair: [Int]) -> JSONValue {
        pair.count == 2 && pair[0] == pair[1] ? .integer(pair[0]) : .integers(pair)
    }
}

/// The configuration of a `conv2d` layer (channels last, NHWC), with Keras 3 names and
/// defaults. The kernel is `[kernel_h, kernel_w, in_channels, filters]`.
public struct Conv2DSpec: Sendable, Equatable, Hashable {
    /// The number of output channels (> 0).
    public var filters: Int
    /// `[height, width]` of the kernel (key `kernel_size`, an integer or a pair; required).
    public var kernelSize: [Int]
    /// `[height, width]` step of the window (key `strides`, default 1).
    public var strides: [Int]
    /// `valid` (default) or `same`.
    public var padding: Padding
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

    /// A conv2d configuration; everything but `filters` and `kernelSize` has the Keras default.
    public init(filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid,
                activation: ActivationSpec = .linear, useBias: Bool = true,
                kernelInitializer: InitializerSpec = .glorotUniform, biasInitializer: InitializerSpec = .zeros,
                kernelRegularizer: RegularizerSpec? = nil, biasRegularizer: RegularizerSpec? = nil,
                activityRegularizer: RegularizerSpec? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
    }

    /// The keys a conv2d layer object accepts besides `type` and `name`.
    static let keys = [
        "filters", "kernel_size", "strides", "padding", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    ]

    static func decode(_ r: ObjectReader) throws(SpecError) -> Conv2DSpec {
        Conv2DSpec(
            filters: try r.require("filters", Read.positiveInt),
            kernelSize: try r.require("kernel_size", Read.positivePair),
            strides: try r.get("strides", default: [1, 1], Read.positivePair),
            padding: try r.get("padding", default: .valid, Padding.decode),
            activation: try r.get("activation", default: .linear, ActivationSpec.decode),
            useBias: try r.get("use_bias", default: true, Read.bool),
            kernelInitializer: try r.get("kernel_initializer", default: .glorotUniform, InitializerSpec.decode),
            biasInitializer: try r.get("bias_initializer", default: .zeros, InitializerSpec.decode),
            kernelRegularizer: try r.optional("kernel_regularizer", RegularizerSpec.decode),
            biasRegularizer: try r.optional("bias_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
    }

    /// Writes the keys: `filters`, `kernel_size`, `strides`, `padding` and `activation`
    /// always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["filters"] = .integer(filters)
        o["kernel_size"] = Read.pairJSON(kernelSize)
        o["strides"] = Read.pairJSON(strides)
        o["padding"] = .string(padding.rawValue)
        o["activation"] = activation.jsonValue
        if !useBias { o["use_bias"] = false }
        if kernelInitializer != .glorotUniform { o["kernel_initializer"] = kernelInitializer.jsonValue }
        if biasInitializer != .zeros { o["bias_initializer"] = biasInitializer.jsonValue }
        if let kernelRegularizer { o["kernel_regularizer"] = kernelRegularizer.jsonValue }
        if let biasRegularizer { o["bias_regularizer"] = biasRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
