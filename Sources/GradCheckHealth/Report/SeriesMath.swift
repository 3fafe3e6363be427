/// Robust summaries of series for the rules: medians and fractions over the finite
/// values, ignoring missing ones.
enum SeriesMath {
    /// The median of the finite values; `nil` when there are none.
    static func median<C: Collection>(_ values: C) -> Double? where C.Element == Double {
        quantile(values, 0.5)
    }

    /// The `q`-quantile (linear interpolation) of the finite values; `nil` when none.
    static func quantile<C: Collection>(_ values: C, _ q: Double) -> Double? where C.Element == Double {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let position = q * Double(sorted.count - 1)
        let i = Int(position.rounded(.down))
        let j = Swift.min(i + 1, sorted.count - 1)
        let w = position - Double(i)
        return sorted[i] * (1 - w) + sorted[j] * w
    }

    /// The median of the present, finite values of an optional series.
    static func median(_ values: [Double?]) -> Double? {
        median(values.compactMap { $0 })
    }

    /// The finite values of an optional series with their indices.
    static func present(_ values: [Double?]) -> [(index: Int, value: Double)] {
        values.enumerated().compactMap { i, v in
            guard let v, v.isFinite else { return nil }
            return (i, v)
        }
    }

    /// The fraction of the present, finite values that satisfy `condition`, and the first
    /// and last series index (the `index` of the entries, not their position) where it
    /// holds; `nil` when it never holds.
    static func holds(_ values: [(index: Int, value: Double)], _ condition: (Double) -> Bool)
        -> (fraction: Double, first: Int, last: Int)? {
        var count = 0
        var first = -1, last = -1
        for (i, v) in values where condition(v) {
            count += 1
            if first < 0 { first = i }
            last = i
        }
        guard count > 0 else { return nil }
        return (Double(count) / Double(values.count), first, last)
    }

    /// The median of each value and the `window - 1` values before it (fewer at the
    /// start).
    static func runningMedian(_ values: [Double], window: Int) -> [Double] {
        let w = Swift.max(1, window)
        return values.indices.map { i in median(values[Swift.max(0, i - w + 1)...i]) ?? values[i] }
    }
}
