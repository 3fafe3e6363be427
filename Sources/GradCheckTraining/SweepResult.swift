import GradCheckHealth
import GradCheckNN

/// The outcome of a sweep: every finished trial, and per configuration the mean and
/// spread of the metric over its seeds and folds (scikit-learn's `mean_test_score` and
/// `std_test_score`), how many trials diverged and the worst health verdict, ranked.
///
/// Render it with ``text()``, ``markdown()``, ``json()`` (`gradcheck.sweep/1`) or
/// ``html()``.
public struct SweepResult: Sendable {
    /// Which sweep.
    public var header: SweepHeader
    /// The finished trials, in trial order.
    public var results: [SweepTrialResult]
    /// One summary per configuration of the plan, in plan order.
    public var configurations: [SweepConfigurationSummary]

    /// The result over `results` (possibly only some of the plan's trials: a shard, or a
    /// sweep still running).
    public init(header: SweepHeader, results: [SweepTrialResult]) {
        self.header = header
        self.results = results
        let plan = header.plan
        let perConfiguration = plan.seeds.count * plan.folds
        var grouped = [[SweepTrialResult]](repeating: [], count: plan.gridIndices.count)
        for r in results where r.trial.configuration < grouped.count { grouped[r.trial.configuration].append(r) }
        var summaries = plan.configurations.enumerated().map { i, values in
            SweepConfigurationSummary(index: i, values: values, trials: grouped[i], expected: perConfiguration)
        }
        let metric = header.metric
        let ranked = summaries.indices.filter { !summaries[$0].trials.isEmpty }.sorted { a, b in
            let x = summaries[a], y = summaries[b]
            if x.metricMean != y.metricMean {
                return metric.higherIsBetter ? x.metricMean > y.metricMean : x.metricMean < y.metricMean
            }
            if x.diverged != y.diverged { return x.diverged < y.diverged }
            return a < b
        }
        for (rank, i) in ranked.enumerated() { summaries[i].rank = rank + 1 }
        configurations = summaries
    }

    /// The configurations with a rank, best first.
    public var ranked: [SweepConfigurationSummary] {
        configurations.filter { $0.rank != nil }.sorted { $0.rank! < $1.rank! }
    }

    /// The best configuration (rank 1), if any trial finished.
    public var best: SweepConfigurationSummary? { ranked.first }

    /// The numbers of the plan's trials that are not in ``results``.
    public var missingTrials: [Int] {
        let have = Set(results.map(\.trial.index))
        return header.plan.trials.map(\.index).filter { !have.contains($0) }
    }

    /// The mean wall-clock seconds of a trial.
    public var meanTrialSeconds: Double {
        results.isEmpty ? .nan : results.map(\.seconds).reduce(0, +) / Double(results.count)
    }

    /// The spec of configuration `index`: the base spec with its overrides.
    ///
    /// - Throws: ``SweepError`` when an override no longer applies (it did when the
    ///   sweep ran).
    public func spec(ofConfiguration index: Int) throws(SweepError) -> ModelSpec {
        let plan = header.plan
        let point = zip(plan.axes.map(\.key), plan.configurations[index]).map { (key: $0.0, value: $0.1) }
        return try SweepOverride.spec(header.spec, point: point)
    }
}

/// One configuration of a sweep over its trials.
public struct SweepConfigurationSummary: Sendable {
    /// Its position in the plan's configurations.
    public var index: Int
    /// Its values, one per axis.
    public var values: [SweepValue]
    /// Its finished trials.
    public var trials: [SweepTrialResult]
    /// How many trials it has in the plan (seeds × folds).
    public var expected: Int
    /// Its rank by the metric (1 is best); `nil` when no trial finished.
    public var rank: Int?
    /// The mean metric over the finished trials (diverged trials count with the worst value).
    public var metricMean: Double
    /// The population standard deviation of the metric (NaN with a non-finite value).
    public var metricStd: Double
    /// How many trials diverged.
    public var diverged: Int
    /// The worst health verdict over its trials.
    public var verdict: HealthVerdict
    /// How many trials had each finding kind, most frequent first (ties: first seen).
    public var findingCounts: [(kind: String, count: Int)]

    init(index: Int, values: [SweepValue], trials: [SweepTrialResult], expected: Int) {
        self.index = index
        self.values = values
        self.trials = trials
        self.expected = expected
        let m = trials.map(\.metric)
        let mean = m.isEmpty ? .nan : m.reduce(0, +) / Double(m.count)
        metricMean = mean
        if m.isEmpty || !mean.isFinite {
            metricStd = .nan
        } else {
            metricStd = (m.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(m.count)).squareRoot()
        }
        diverged = trials.filter(\.diverged).count
        let order: [HealthVerdict] = [.healthy, .warning, .unhealthy]
        verdict = trials.map(\.verdict).max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! } ?? .healthy
        var counts: [(kind: String, count: Int)] = []
        for t in trials {
            for k in Set(t.findings) {
                if let i = counts.firstIndex(where: { $0.kind == k }) { counts[i].count += 1 } else { counts.append((k, 1)) }
            }
        }
        let firstSeen = trials.flatMap(\.findings)
        findingCounts = counts.sorted { a, b in
            a.count != b.count ? a.count > b.count : firstSeen.firstIndex(of: a.kind)! < firstSeen.firstIndex(of: b.kind)!
        }
    }
}
