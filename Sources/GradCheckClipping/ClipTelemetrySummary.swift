/// Aggregate telemetry over many steps — one run, or several seeds pooled — in the
/// terms of the clipping lab's table (FORMATS.md §4 `clip-lab`).
///
/// Medians are of finite values only (NaN norms from propagated non-finite steps are
/// left out; an even count averages the two middle values); a statistic with no values
/// is NaN. Skipped steps count as steps but not as triggered.
public struct ClipTelemetrySummary: Sendable, Equatable {
    /// How many steps were recorded.
    public var steps: Int
    /// On how many steps the policy triggered.
    public var triggeredSteps: Int
    /// How many steps the non-finite rule skipped.
    public var skippedSteps: Int
    /// On how many steps non-finite elements were zeroed.
    public var zeroedSteps: Int
    /// On how many steps non-finite elements were propagated.
    public var propagatedSteps: Int
    /// `triggeredSteps / steps` (NaN with no steps).
    public var clipRate: Double
    /// The mean cosine to the raw gradient over the steps where clipping triggered (NaN
    /// cosines, from propagated non-finite values, left out).
    public var meanCosineWhenTriggered: Double
    /// The smallest cosine to the raw gradient over the triggered steps (NaN left out).
    public var minCosineWhenTriggered: Double
    /// The mean fraction of elements changed over the triggered steps.
    public var meanClippedFractionWhenTriggered: Double
    /// The median global norm before clipping.
    public var medianNormBefore: Double
    /// The median global norm after clipping.
    public var medianNormAfter: Double

    /// Summarises `records`. - Complexity: O(k log k) for k records (sorting for the medians).
    public init<C: Sequence>(_ records: C) where C.Element == ClipTelemetry {
        var steps = 0, triggered = 0, skipped = 0, zeroed = 0, propagated = 0
        var cosineSum = 0.0, fractionSum = 0.0
        var cosineCount = 0
        var minCosine = Double.nan
        var before: [Double] = [], after: [Double] = []
        for r in records {
            steps += 1
            switch r.action {
            case .skippedStep?: skipped += 1
            case .zeroed?: zeroed += 1
            case .propagated?: propagated += 1
            case nil: break
            }
            if r.triggered {
                triggered += 1
                fractionSum += r.clippedFraction
                if !r.cosineToRaw.isNaN {
                    cosineCount += 1
                    cosineSum += r.cosineToRaw
                    if minCosine.isNaN || r.cosineToRaw < minCosine { minCosine = r.cosineToRaw }
                }
            }
            if r.normBefore.isFinite { before.append(r.normBefore) }
            if r.normAfter.isFinite, r.action != .skippedStep { after.append(r.normAfter) }
        }
        self.steps = steps
        triggeredSteps = triggered
        skippedSteps = skipped
        zeroedSteps = zeroed
        propagatedSteps = propagated
        clipRate = steps == 0 ? .nan : Double(triggered) / Double(steps)
        meanCosineWhenTriggered = cosineCount == 0 ? .nan : cosineSum / Double(cosineCount)
        minCosineWhenTriggered = minCosine
        meanClippedFractionWhenTriggered = triggered == 0 ? .nan : fractionSum / Double(triggered)
        medianNormBefore = Self.median(before)
        medianNormAfter = Self.median(after)
    }

    /// The median of `values` (NaN when empty). - Complexity: O(k log k).
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }
}
