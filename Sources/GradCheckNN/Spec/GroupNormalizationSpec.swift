/// The configuration of a `group_normalization` layer (Keras 3 `GroupNormalization`),
/// with Keras names and defaults.
///
/// The channels (last axis) are split into `groups` blocks; each block of each sample is
/// normalised over its channels and every other per-sample axis. Parameters: `gamma`
/// (with `scale`) and `beta` (with `center`), each `[channels]`.
public struct GroupNormalizationSpec: Sendable, Equatable, Hashable {
    /// The number of channel groups (default 32; must divide the channels).
    public var groups: Int
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

    /// A group-normalisation configuration with the Keras defaults.
    public init(groups: Int = 32, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: InitializerSpec = .zeros, gammaInitializer: InitializerSpec = .ones,
                betaRegularizer: RegularizerSpec? = nil, gammaRegularizer: RegularizerSpec? = nil) {
        self.groups = groups
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
    }

    static let keys = [
        "groups", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer", "beta_regularizer",
        "gamma_regularizer",
    ]

    static func decode(_ r: ObjectReader) throws(SpecError) -> GroupNormalizationSpec {
        GroupNormalizationSpec(
            groups: try r.get("groups", default: 32, Read.positiveInt),
            epsilon: try r.get("epsilon", default: 1e-3, Read.positiveNumber),
            center: try r.get("center", default: true, Read.bool),
            scale: try r.get("scale", default: true, Read.bool),
            betaInitializer: try r.get("beta_initializer", default: .zeros, InitializerSpec.decode),
            gammaInitializer: try r.get("gamma_initializer", default: .ones, InitializerSpec.decode),
            betaRegularizer: try r.optional("beta_regularizer", RegularizerSpec.decode),
            gammaRegularizer: try r.optional("gamma_regularizer", RegularizerSpec.decode))
    }

    /// Writes `groups` and `epsilon` always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["groups"] = .integer(groups)
        o["epsilon"] = .number(epsilon)
        if !center { o["center"] = false }
        if !scale { o["scale"] = false }
        if betaInitializer != .zeros { o["beta_initializer"] = betaInitializer.jsonValue }
        if gammaInitializer != .ones { o["gamma_initializer"] = gammaInitializer.jsonValue }
        if let betaRegularizer { o["beta_regularizer"] = betaRegularizer.jsonValue }
        if let gammaRegularizer { o["gamma_regularizer"] = gammaRegularizer.jsonValue }
    }
}
