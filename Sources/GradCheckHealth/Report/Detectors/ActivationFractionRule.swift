/// The shared shape of the dead-units and saturation rules: a per-layer fraction that
/// must stay at or above a threshold over the last half of the run's measurements (at
/// least ``minimumMeasurements`` of them).
enum ActivationFractionRule {
    /// Fewer measurements than this say nothing about what is sustained.
    static let minimumMeasurements = 3

    /// What a layer showed: the median fraction over the last half, and the steps
    /// (indices) where the fraction was at or above the threshold over the whole run.
    struct Hit {
        var layer: String
        var median: Double
        var peak: Double
        var fraction: Double
        var first: Int
        var last: Int
        var measurements: Int
    }

    /// The layers whose `series` is at or above `threshold` on at least
    /// `sustainedFraction` of the last half of their measurements.
    static func hits(_ run: RunSeries, threshold: Double, sustainedFraction: Double,
                     series: (RunSeries.Activations) -> [Double?]) -> [Hit] {
        run.activations.compactMap { layer in
            hit(layer.name, series(layer), threshold: threshold, sustainedFraction: sustainedFraction)
        }
    }

    /// What `values` (one layer's fractions over the run) show, or `nil` when they are not
    /// at or above `threshold` on `sustainedFraction` of their last half.
    static func hit(_ layer: String, _ series: [Double?], threshold: Double, sustainedFraction: Double) -> Hit? {
        let values = SeriesMath.present(series)
        guard values.count >= minimumMeasurements else { return nil }
        let recent = Array(values.suffix((values.count + 1) / 2))
        guard let h = SeriesMath.holds(recent, { $0 >= threshold }), h.fraction >= sustainedFraction,
              let median = SeriesMath.median(recent.map(\.value)),
              let all = SeriesMath.holds(values, { $0 >= threshold }) else { return nil }
        return Hit(layer: layer, median: median, peak: values.map(\.value).max() ?? median,
                   fraction: h.fraction, first: all.first, last: all.last, measurements: values.count)
    }
}
