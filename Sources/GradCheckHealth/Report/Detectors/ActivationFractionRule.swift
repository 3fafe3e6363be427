/// The shared shape of the dead-units, saturation and attention-collapse rules: a
/// per-layer statistic that must stay at or beyond a threshold (above it for a fraction of
/// dead or saturated units, below it for attention entropy) over the last half of the
/// run's measurements (at least ``minimumMeasurements`` of them).
enum ActivationFractionRule {
    /// Fewer measurements than this say nothing about what is sustained.
    static let minimumMeasurements = 3

    /// Which side of the threshold is the problem.
    enum Side {
        /// Values at or above the threshold (dead, saturated fractions).
        case atLeast
        /// Values at or below it (attention entropy).
        case atMost
    }

    /// What a layer showed: the median over the last half, the most extreme value over
    /// the run (the largest for ``Side/atLeast``, the smallest for ``Side/atMost``), and the
    /// steps (indices) where the value was past the threshold over the whole run.
    struct Hit {
        var layer: String
        var median: Double
        var peak: Double
        var fraction: Double
        var first: Int
        var last: Int
        var measurements: Int
    }

    /// The layers whose `series` is past `threshold` on at least `sustainedFraction` of
    /// the last half of their measurements.
    static func hits(_ run: RunSeries, threshold: Double, side: Side = .atLeast, sustainedFraction: Double,
                     series: (RunSeries.Activations) -> [Double?]) -> [Hit] {
        run.activations.compactMap { layer in
            hit(layer.name, series(layer), threshold: threshold, side: side, sustainedFraction: sustainedFraction)
        }
    }

    /// What `values` (one layer's statistic over the run) show, or `nil` when they are not
    /// past `threshold` on `sustainedFraction` of their last half.
    static func hit(_ layer: String, _ series: [Double?], threshold: Double, side: Side = .atLeast,
                    sustainedFraction: Double) -> Hit? {
        let values = SeriesMath.present(series)
        guard values.count >= minimumMeasurements else { return nil }
        let past: (Double) -> Bool = side == .atLeast ? { $0 >= threshold } : { $0 <= threshold }
        let recent = Array(values.suffix((values.count + 1) / 2))
        guard let h = SeriesMath.holds(recent, past), h.fraction >= sustainedFraction,
              let median = SeriesMath.median(recent.map(\.value)),
              let all = SeriesMath.holds(values, past) else { return nil }
        let extreme = side == .atLeast ? values.map(\.value).max() : values.map(\.value).min()
        return Hit(layer: layer, median: median, peak: extreme ?? median,
                   fraction: h.fraction, first: all.first, last: all.last, measurements: values.count)
    }
}
