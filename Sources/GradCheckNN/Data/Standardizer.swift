/// Per-column standardisation, `(x − mean) / std`, fitted on a table of samples.
///
/// A column with zero spread (a constant pixel) is centred but not scaled, so it stays 0
/// instead of becoming NaN.
public struct Standardizer: Sendable, Equatable {
    /// Each column's mean.
    public var means: [Double]
    /// Each column's standard deviation (population form), 1 where it was 0.
    public var scales: [Double]

    /// Fits the means and spreads of `rows` (all the same length).
    ///
    /// - Complexity: O(rows × columns), two passes.
    public init(fitting rows: [[Double]]) {
        let n = rows.first?.count ?? 0
        var means = [Double](repeating: 0, count: n)
        for r in rows { for j in 0..<n { means[j] += r[j] } }
        let count = Double(Swift.max(rows.count, 1))
        for j in 0..<n { means[j] /= count }
        var variances = [Double](repeating: 0, count: n)
        for r in rows { for j in 0..<n { variances[j] += (r[j] - means[j]) * (r[j] - means[j]) } }
        self.means = means
        self.scales = variances.map { v in
            let s = (v / count).squareRoot()
            return s > 0 && s.isFinite ? s : 1
        }
    }

    /// The standardised rows.
    public func transform(_ rows: [[Double]]) -> [[Double]] {
        rows.map { r in r.indices.map { (r[$0] - means[$0]) / scales[$0] } }
    }
}
