/// Why the reports of a sharded check's shards do not merge: they are not shards of one
/// check (different results lists, losses or tolerances). ``part`` is the position of the
/// first report that disagrees with the first one.
public struct CheckMergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The position (from 0) of the report that does not fit.
    public var part: Int
    /// What differs.
    public var message: String

    /// An error about report `part`.
    public init(part: Int, _ message: String) {
        self.part = part
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension CheckReport {
    /// The report of the whole check from the reports of its shards (each run with the same
    /// checker and a different ``GradientChecker/shard``): per tensor, the counts add up,
    /// the largest errors are the largest of the shards', the worst element is the worst
    /// of the shards' worst (ties to the lowest index, as in one run), and the failing
    /// elements are the first 10 of the shards' in index order. For shards that together
    /// cover every chunk once, this equals the unsharded run's report exactly.
    ///
    /// - Complexity: O(parts × results).
    /// - Throws: ``CheckMergeError`` when the reports are not of one check: a different
    ///   model, loss, tolerance, list of results (target, parameter, shape, method),
    ///   skipped arguments, non-finite value or backward contracts.
    public static func merged(_ parts: [CheckReport]) throws(CheckMergeError) -> CheckReport {
        guard var merged = parts.first else { throw CheckMergeError(part: 0, "no reports to merge") }
        for (k, part) in parts.enumerated().dropFirst() {
            func differ(_ what: String) -> CheckMergeError { CheckMergeError(part: k, "its \(what) differs from the first part's") }
            guard part.model == merged.model else { throw differ("model") }
            guard part.loss.bitPattern == merged.loss.bitPattern else { throw differ("loss") }
            guard part.tolerance == merged.tolerance else { throw differ("tolerance") }
            guard part.skipped == merged.skipped else { throw differ("list of skipped arguments") }
            guard part.nonfinite?.place == merged.nonfinite?.place, part.nonfinite?.file == merged.nonfinite?.file else {
                throw differ("non-finite value")
            }
            // Every shard runs the (cheap, deterministic) backward contracts whole; they must agree.
            guard part.contracts == merged.contracts else { throw differ("backward contracts") }
            guard part.results.count == merged.results.count else { throw differ("number of checks") }
            for i in merged.results.indices {
                let a = merged.results[i], b = part.results[i]
                guard a.target == b.target, a.parameter == b.parameter, a.shape == b.shape, a.method == b.method,
                      a.elementCount == b.elementCount, a.method == .elements else {
                    throw differ("check \(i) (\(b.target) \(b.parameter))")
                }
                merged.results[i] = a.merged(with: b)
            }
        }
        return merged
    }
}

extension TensorCheckResult {
    /// This element-wise result combined with another shard's result for the same tensor.
    func merged(with other: TensorCheckResult) -> TensorCheckResult {
        var r = self
        r.elementsChecked += other.elementsChecked
        r.failures += other.failures
        r.kinks += other.kinks
        r.maxAbsoluteError = Swift.max(maxAbsoluteError, other.maxAbsoluteError)
        r.maxRelativeError = Swift.max(maxRelativeError, other.maxRelativeError)
        if let t = other.maxTruncationEstimate { r.maxTruncationEstimate = Swift.max(maxTruncationEstimate ?? t, t) }
        if let w = other.worst {
            if let current = worst {
                let (a, b) = (current.worstScore, w.worstScore)
                if b.rank > a.rank || (b.rank == a.rank && (b.ratio > a.ratio || (b.ratio == a.ratio && w.flatIndex < current.flatIndex))) {
                    r.worst = w
                }
            } else {
                r.worst = w
            }
        }
        r.failingElements = Array((failingElements + other.failingElements).sorted { $0.flatIndex < $1.flatIndex }.prefix(10))
        r.status = r.failures > 0 ? .fail : (r.kinks > 0 ? .kink : .pass)
        return r
    }
}
