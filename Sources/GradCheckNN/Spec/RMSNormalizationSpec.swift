/// The configuration of an `rms_normalization` layer (Keras 3 `RMSNormalization`):
/// `x · rsqrt(mean(x²) + ε) · scale` over the last axis, with the parameter `scale`
/// `[features]` (starting at ones).
public struct RMSNormalizationSpec: Sendable, Equatable, Hashable {
    /// Added to the mean square before the square root (default 1e-6, > 0).
    public var epsilon: Double

    /// An RMS-normalisation configuration with the Keras default.
    public init(epsilon: Double = 1e-6) {
        self.epsilon = epsilon
    }

    static let keys = ["epsilon"]

    static func decode(_ r: ObjectReader) throws(SpecError) -> RMSNormalizationSpec {
        RMSNormalizationSpec(epsilon: try r.get("epsilon", default: 1e-6, Read.positiveNumber))
    }

    /// Writes `epsilon`.
    func encode(into o: inout JSONObject) {
        o["epsilon"] = .number(epsilon)
    }
}
