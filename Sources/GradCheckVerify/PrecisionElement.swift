/// The gradient element where float32 agrees least with float64.
public struct PrecisionElement: Sendable, Equatable {
    /// The gradient's argument (`inputs`, a parameter name).
    public var tensor: String
    /// The element's per-axis index.
    public var index: [Int]
    /// The float32 gradient there.
    public var float32: Double
    /// The float64 gradient there.
    public var float64: Double
    /// The digits that agree (see ``LayerPrecision/medianDigits``).
    public var digits: Double

    /// An element.
    public init(tensor: String, index: [Int], float32: Double, float64: Double, digits: Double) {
        self.tensor = tensor
        self.index = index
        self.float32 = float32
        self.float64 = float64
        self.digits = digits
    }
}
