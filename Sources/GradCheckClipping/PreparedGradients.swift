/// A gradient set after the non-finite rule ran: its norms, and what the rule did.
struct PreparedGradients: Sendable, Equatable {
    /// Each tensor's Euclidean norm, in `Double` (NaN or inf for a tensor holding a
    /// propagated non-finite element).
    var tensorNorms: [Double]
    /// The global norm: the norm of ``tensorNorms``.
    var norm: Double
    /// Each tensor's largest finite magnitude.
    var tensorMaxAbs: [Double]
    /// The largest finite magnitude in the set.
    var maxAbs: Double
    /// What the non-finite rule did, `nil` when all elements were finite.
    var action: NonFiniteAction?
    /// How many elements were non-finite before the rule ran.
    var nonFiniteCount: Int
    /// How many elements the gradient set has.
    var elementCount: Int

    /// Empty telemetry sums for a step that leaves values at most `newMax` in magnitude.
    /// - Complexity: O(1).
    func stats(newMax: Double) -> ClipStats { ClipStats(oldMax: maxAbs, newMax: newMax) }

    /// The record of a step on which the policy changed nothing.
    var unchanged: ClipTelemetry {
        .unchanged(norm: norm, action: action, nonFiniteCount: nonFiniteCount)
    }
}
