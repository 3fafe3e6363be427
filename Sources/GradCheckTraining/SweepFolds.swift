/// The cross-validation folds of a sweep: scikit-learn's `KFold` algorithm, so a sweep's
/// folds are the folds `KFold(n_splits=k, shuffle=..., random_state=seed)` gives.
///
/// The samples `0..<n` are (optionally) shuffled with numpy's `RandomState(seed).shuffle`
/// (``SweepMersenneTwister``), cut into `k` consecutive runs, the first `n mod k` of size
/// `n / k + 1` and the rest `n / k`; fold `i` validates on run `i` and trains on the
/// others. Both index lists are in increasing order, as scikit-learn returns them.
public struct SweepFolds: Sendable, Equatable {
    /// Each fold's training and validation sample indices.
    public var folds: [(train: [Int], validation: [Int])]

    public static func == (a: SweepFolds, b: SweepFolds) -> Bool {
        a.folds.count == b.folds.count && zip(a.folds, b.folds).allSatisfy { $0.train == $1.train && $0.validation == $1.validation }
    }

    /// The folds of `KFold(n_splits: k, shuffle:, random_state: seed)` over `count` samples.
    ///
    /// - Throws: ``SweepError`` when `k` < 2, `k` > `count`, or a shuffled split's seed is
    ///   not below 2^32 (numpy's limit for `RandomState`).
    public init(count: Int, k: Int, shuffle: Bool = true, seed: UInt64) throws(SweepError) {
        guard k >= 2 else { throw SweepError("--folds: expected at least 2 folds, got \(k)") }
        guard k <= count else { throw SweepError("--folds: \(k) folds need at least \(k) samples, the data have \(count)") }
        var indices = Array(0..<count)
        if shuffle {
            guard seed <= UInt64(UInt32.max) else {
                throw SweepError("--seed: the fold shuffle takes a seed below 2^32 (as numpy's RandomState), got \(seed)")
            }
            var mt = SweepMersenneTwister(seed: UInt32(seed))
            mt.shuffle(&indices)
        }
        var folds: [(train: [Int], validation: [Int])] = []
        var start = 0
        for i in 0..<k {
            let size = count / k + (i < count % k ? 1 : 0)
            var inFold = [Bool](repeating: false, count: count)
            for j in indices[start..<(start + size)] { inFold[j] = true }
            folds.append((train: (0..<count).filter { !inFold[$0] }, validation: (0..<count).filter { inFold[$0] }))
            start += size
        }
        self.folds = folds
    }
}
