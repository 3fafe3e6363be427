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
        var hits: [Hit] = []
        for layer in run.activations {
            let values = SeriesMath.present(series(layer))
            guard values.count >= minimumMeasurements else { continue }
            let recent = Array(values.suffix((values.count + 1) / 2))
            guard let h = SeriesMath.holds(recent, { $0 >= threshold }), h.fraction >= sustainedFraction,
                  let median = SeriesMath.median(recent.map(\.value)),
                  let all = SeriesMath.holds(values, { $0 >= threshold }) else { continue }
            hits.append(Hit(layer: layer.name, median: median, peak: values.map(\.value).max() ?? median,
                            fraction: h.fraction, first: all.first, last: all.last,
                            measurements: values.count))
        }
        return hits
    }
}
