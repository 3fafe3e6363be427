/// The precision audit of one target (a layer on its own, or `model`): how many digits
/// of its float32 gradients agree with float64, and how its values fit narrower formats.
public struct LayerPrecision: Sendable, Equatable {
    /// The layer's name, or `model`.
    public var target: String
    /// The gradient elements compared (inputs and trainable parameters).
    public var elements: Int
    /// The median, over every compared element, of the agreeing digits
    /// `−log10(|g32 − g64| / max(|g64|, 1e-6 · max|g64 of its tensor|))`, capped to [0, 16]
    /// (16 for exact agreement). The floor keeps elements six orders of magnitude below
    /// their tensor's largest from counting as noise-only.
    public var medianDigits: Double
    /// The fewest agreeing digits of any element.
    public var worstDigits: Double
    /// Where the fewest digits agree; `nil` when there is nothing to compare.
    public var worst: PrecisionElement?
    /// How the target's float64 outputs (activations; for `model`, its inputs) fit float16 and bfloat16.
    public var activations: [String: RangeUse]
    /// How the loss's float64 gradients with respect to the target's output and
    /// parameters (for `model`, every parameter and the inputs) fit float16 and bfloat16.
    public var gradients: [String: RangeUse]

    /// A target's audit.
    public init(target: String, elements: Int, medianDigits: Double, worstDigits: Double, worst: PrecisionElement?,
                activations: [String: RangeUse], gradients: [String: RangeUse]) {
        self.target = target
        self.elements = elements
        self.medianDigits = medianDigits
        self.worstDigits = worstDigits
        self.worst = worst
        self.activations = activations
        self.gradients = gradients
    }
}
