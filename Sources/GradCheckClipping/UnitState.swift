/// Whether the elements of one AGC unit are all finite.
enum UnitState: UInt8, Sendable, Equatable {
    /// Every element is finite.
    case finite
    /// Some element is ±inf and none is NaN.
    case infinite
    /// Some element is NaN.
    case nan
}
