/// The outcome of a ``PrecisionAudit``: one entry per layer, in model order, then `model`.
public struct PrecisionReport: Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The loss in float64.
    public var loss64: Double
    /// The loss in float32.
    public var loss32: Double
    /// One entry per layer (in model order), then the whole model (`model`).
    public var targets: [LayerPrecision]

    /// A report.
    public init(model: String, loss64: Double, loss32: Double, targets: [LayerPrecision]) {
        self.model = model
        self.loss64 = loss64
        self.loss32 = loss32
        self.targets = targets
    }

    /// The layer (not `model`) whose float32 gradients lose the most digits: the lowest
    /// median, ties broken by the lowest worst element; `nil` for a model without layers
    /// with gradients to compare.
    public var worstLayer: LayerPrecision? {
        targets.filter { $0.target != "model" && $0.elements > 0 }
            .min { ($0.medianDigits, $0.worstDigits) < ($1.medianDigits, $1.worstDigits) }
    }
}
