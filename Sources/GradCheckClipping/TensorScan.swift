/// What one pass over a gradient tensor found: its largest finite magnitude and its
/// non-finite elements.
struct TensorScan: Sendable, Equatable {
    /// The largest magnitude among the finite elements (0 when there are none).
    var maxAbs: Double
    /// How many elements are NaN.
    var nanCount: Int
    /// How many elements are +inf or -inf.
    var infinityCount: Int
    /// The flat index of the first non-finite element, `nil` when all are finite.
    var firstNonFinite: Int?
    /// What the first non-finite element is.
    var firstValue: NonFiniteValue?

    /// How many elements are not finite.
    var nonFiniteCount: Int { nanCount + infinityCount }
}
