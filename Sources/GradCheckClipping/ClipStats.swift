/// Running sums from which a policy's telemetry is computed, accumulated while the
/// gradients are rewritten (no copy of the raw gradients is kept).
///
/// Raw values are multiplied by ``oldInverseScale`` and clipped ones by
/// ``newInverseScale``, exact powers of two chosen from the largest magnitude of each, so
/// that neither the raw sums nor the clipped ones overflow or underflow even when
/// clipping shrinks 1e300 to 1 (the cosine is invariant to both factors).
struct ClipStats: Sendable, Equatable {
    /// The factor applied to raw values.
    var oldInverseScale: Double
    /// The factor applied to clipped values.
    var newInverseScale: Double
    /// `Σ raw·clipped` (scaled).
    var dot = 0.0
    /// `Σ raw²` (scaled).
    var oldSquares = 0.0
    /// `Σ clipped²` (scaled).
    var newSquares = 0.0
    /// How many elements changed value (NaN → NaN counts as unchanged).
    var changed = 0

    /// Empty sums for raw values whose largest finite magnitude is `oldMax` and clipped
    /// values whose largest is about `newMax`. - Complexity: O(1).
    init(oldMax: Double, newMax: Double) {
        oldInverseScale = ClipKernels.inverseScale(forMax: oldMax)
        newInverseScale = ClipKernels.inverseScale(forMax: newMax)
    }
}
