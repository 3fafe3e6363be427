/// The median of the first `count` finite values of a series, once it has them.
struct Baseline: Sendable {
    let count: Int
    private var values: [Double] = []
    /// The baseline, once `count` finite values were seen.
    private(set) var median: Double?

    init(count: Int) { self.count = Swift.max(1, count) }

    mutating func add(_ x: Double?) {
        guard median == nil, let x, x.isFinite else { return }
        values.append(x)
        if values.count == count {
            median = SeriesMath.median(values)
            values = []
        }
    }
}
