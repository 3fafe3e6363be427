/// Which kind of non-finite number was found.
public enum NonFiniteValue: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Not a number.
    case nan = "NaN"
    /// Positive infinity.
    case positiveInfinity = "+inf"
    /// Negative infinity.
    case negativeInfinity = "-inf"

    /// The kind of `value`, or `nil` when it is finite. - Complexity: O(1).
    public init?(_ value: Double) {
        if value.isNaN {
            self = .nan
        } else if value == .infinity {
            self = .positiveInfinity
        } else if value == -.infinity {
            self = .negativeInfinity
        } else {
            return nil
        }
    }

    /// `NaN`, `+inf` or `-inf`.
    public var description: String { rawValue }
}
