/// How a set of values fits a ``LowPrecisionFormat``: the fractions of its nonzero
/// elements that would overflow, become subnormal, or round to zero.
public struct RangeUse: Sendable, Equatable {
    /// The nonzero elements counted (exact zeros are zero in every format).
    public var elements: Int
    /// The fraction above the format's largest value (infinity).
    public var overflow: Double
    /// The fraction below its smallest normal value but not rounded to zero: subnormal,
    /// with fewer significant bits, or zero where subnormals are flushed.
    public var subnormal: Double
    /// The fraction that rounds to zero even with subnormals.
    public var underflow: Double

    /// A range use.
    public init(elements: Int, overflow: Double, subnormal: Double, underflow: Double) {
        self.elements = elements
        self.overflow = overflow
        self.subnormal = subnormal
        self.underflow = underflow
    }
}
