/// The configuration of a `batch_normalization` layer, with Keras 3 names and defaults.
///
/// Normalises over every axis but the last (FORMATS.md "Exact semantics"). Parameters:
/// `gamma` (with `scale`), `beta` (with `center`), each `[channels]`, and the state
/// `moving_mean`, `moving_variance` `[channels]` (not trainable).
public struct BatchNormalizationSpec: Sendable, Equatable, Hashable {
    /// The moving-average factor: `moving = momentum * moving + (1 - momentum) * batch`
    /// (default 0.99, in [0, 1]).
    public var momentum: Double
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
    /// How `moving_mean` starts (default ``InitializerSpec/zeros``).
    public var movingMeanInitializer: InitializerSpec
    /// How `moving_variance` starts (default ``InitializerSpec/ones``).
    public var movingVarianceInitializer: InitializerSpec
    /// A penalty on `beta`.
    public var betaRegularizer: RegularizerSpec?
    /// A penalty on `gamma`.
    public var gammaRegularizer: RegularizerSpec?

    /// A batch-normalisation configuration with the Keras defaults.
    public init(momentum: Double = 0.99, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: InitializerSpec = .zeros, gammaInitializer: InitializerSpec = .ones,
                movingMeanInitializer: InitializerSpec = .zeros, movingVarianceInitializer: InitializerSpec = .ones,
                betaRegularizer: RegularizerSpec? = nil, gammaRegularizer: RegularizerSpec? = nil) {
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
    }

    static let keys = [
        "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
        "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
    ]

    static func decode(_ r: ObjectReader) throws(SpecError) -> BatchNormalizationSpec {
        BatchNormalizationSpec(
            momentum: try r.get("momentum", default: 0.99, Read.number(.unitClosed)),
            epsilon: try r.get("epsilon", default: 1e-3, Read.positiveNumber),
            center: try r.get("center", default: true, Read.bool),
            scale: try r.get("scale", default: true, Read.bool),
            betaInitializer: try r.get("beta_initializer", default: .zeros, InitializerSpec.decode),
            gammaInitializer: try r.get("gamma_initializer", default: .ones, InitializerSpec.decode),
            movingMeanInitializer: try r.get("moving_mean_initializer", default: .zeros, InitializerSpec.decode),
            movingVarianceInitializer: try r.get("moving_variance_initializer", default: .ones, InitializerSpec.decode),
            betaRegularizer: try r.optional("beta_regularizer", RegularizerSpec.decode),
            gammaRegularizer: try r.optional("gamma_regularizer", RegularizerSpec.decode))
    }

    /// Writes `momentum` and `epsilon` always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["momentum"] = .number(momentum)
        o["epsilon"] = .number(epsilon)
        if !center { o["center"] = false }
        if !scale { o["scale"] = false }
        if betaInitializer != .zeros { o["beta_initializer"] = betaInitializer.jsonValue }
        if gammaInitializer != .ones { o["gamma_initializer"] = gammaInitializer.jsonValue }
        if movingMeanInitializer != .zeros { o["moving_mean_initializer"] = movingMeanInitializer.jsonValue }
        if movingVarianceInitializer != .ones { o["moving_variance_initializer"] = movingVarianceInitializer.jsonValue }
        if let betaRegularizer { o["beta_regularizer"] = betaRegularizer.jsonValue }
        if let gammaRegularizer { o["gamma_regularizer"] = gammaRegularizer.jsonValue }
    }
}
