/// The configuration of a `layer_normalization` layer, with Keras 3 names and defaults.
///
/// Normalises each position over the last axis. Parameters: `gamma` (with `scale`) and
/// `beta` (with `center`), each `[last axis]`.
public struct LayerNormalizationSpec: Sendable, Equatable, Hashable {
    /// Added to the variance before the square root (default 1e-3, > 0).
    public var epsilon: Double
    /// Whether the layer has the offset `beta` (default `true`).
    public var center: Bool
    /// Whether the layer has the scale `gamma` (default `true`).
    public var scale: Bool
    /// How `beta` starts (default ``InitializerSpec/zeros``).
    public var betaInitializer: InitializerSpec
    /// How `gamma` starts (default ``InitializerSpec/ones``).
    public var gammaInitializer: InitializerSpec
    /// A penalty on `beta`.
    public var betaRegularizer: RegularizerSpec?
    /// A penalty on `gamma`.
    public var gammaRegularizer: RegularizerSpec?

    /// A layer-normalisation configuration with the Keras defaults.
    public init(epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: InitializerSpec = .zeros, gammaInitializer: InitializerSpec = .ones,
                betaRegularizer: RegularizerSpec? = nil, gammaRegularizer: RegularizerSpec? = nil) {
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
    }

    static let keys = [
        "epsilon", "center", "scale", "beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer",
    ]

    static func decode(_ r: ObjectReader) throws(SpecError) -> LayerNormalizationSpec {
        LayerNormalizationSpec(
            epsilon: try r.get("epsilon", default: 1e-3, Read.positiveNumber),
            center: try r.get("center", default: true, Read.bool),
            scale: try r.get("scale", default: true, Read.bool),
            betaInitializer: try r.get("beta_initializer", default: .zeros, InitializerSpec.decode),
            gammaInitializer: try r.get("gamma_initializer", default: .ones, InitializerSpec.decode),
            betaRegularizer: try r.optional("beta_regularizer", RegularizerSpec.decode),
            gammaRegularizer: try r.optional("gamma_regularizer", RegularizerSpec.decode))
    }

    /// Writes `epsilon` always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["epsilon"] = .number(epsilon)
        if !center { o["center"] = false }
        if !scale { o["scale"] = false }
        if betaInitializer != .zeros { o["beta_initializer"] = betaInitializer.jsonValue }
        if gammaInitializer != .ones { o["gamma_initializer"] = gammaInitializer.jsonValue }
        if let betaRegularizer { o["beta_regularizer"] = betaRegularizer.jsonValue }
        if let gammaRegularizer { o["gamma_regularizer"] = gammaRegularizer.jsonValue }
    }
}
