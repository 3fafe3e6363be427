/// One series of a run held in at most a fixed number of buckets: what lets a report read
/// a log of any length in bounded memory.
///
/// Each bucket covers the same number of consecutive steps (its *width*, a power of two,
/// 1 until the run outgrows the capacity; see ``RunSeriesBuilder``) and keeps the mean of
/// the finite values that fell in it, their maximum (so a spike survives any amount of
/// downsampling), and the first non-finite value, which then stands for the bucket (a NaN
/// is never averaged away). With width 1 a bucket is exactly the logged value.
struct SeriesColumn: Sendable {
    /// The summary of the values of one bucket.
    struct Cell: Sendable {
        var sum = 0.0
        var count: Int32 = 0
        var peak = -Double.infinity
        /// The first non-finite value of the bucket, when ``hasBad``.
        var bad = 0.0
        /// Whether a non-finite value fell in the bucket.
        var hasBad = false

        /// Adds one value.
        mutating func add(_ x: Double) {
            if x.isFinite {
                sum += x
                count += 1
                if x > peak { peak = x }
            } else if !hasBad {
                bad = x
                hasBad = true
            }
        }

        /// The cell of two adjacent buckets, `a` first.
        static func merged(_ a: Cell, _ b: Cell) -> Cell {
            var c = Cell(sum: a.sum + b.sum, count: a.count + b.count, peak: Swift.max(a.peak, b.peak))
            if a.hasBad { (c.bad, c.hasBad) = (a.bad, true) } else if b.hasBad { (c.bad, c.hasBad) = (b.bad, true) }
            return c
        }

        /// The bucket's value: its first non-finite value, else the mean of its values,
        /// else `nil` (nothing logged in the bucket).
        var value: Double? {
            if hasBad { return bad }
            return count > 0 ? sum / Double(count) : nil
        }

        /// The largest finite value, or the non-finite one, or `nil`.
        var peakValue: Double? {
            if hasBad { return bad }
            return count > 0 ? peak : nil
        }
    }

    private(set) var cells: [Cell] = []

    /// A column with `buckets` empty buckets (a series that appears after the start).
    init(buckets: Int = 0) {
        cells = [Cell](repeating: Cell(), count: buckets)
    }

    /// Opens a new, empty bucket.
    mutating func openBucket() { cells.append(Cell()) }

    /// Adds `x` to the last bucket (the caller opened one).
    mutating func add(_ x: Double) { cells[cells.count - 1].add(x) }

    /// Merges each pair of adjacent buckets (an odd last bucket stays as it is): the
    /// width doubles. O(buckets).
    mutating func halve() {
        var merged: [Cell] = []
        merged.reserveCapacity(cells.count / 2 + 1)
        var i = 0
        while i + 1 < cells.count {
            merged.append(Cell.merged(cells[i], cells[i + 1]))
            i += 2
        }
        if i < cells.count { merged.append(cells[i]) }
        cells = merged
    }

    /// The value of each bucket (``Cell/value``).
    var values: [Double?] { cells.map(\.value) }

    /// The peak of each bucket (``Cell/peakValue``).
    var peaks: [Double?] { cells.map(\.peakValue) }
}
