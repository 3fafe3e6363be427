import GradCheckNN
import GradCheckTensor

/// What a sweep runs: the grid of configurations (every combination of the axes' values,
/// or `randomCount` of them drawn without replacement) × the seeds × the folds.
///
/// Trials are numbered in that order (configuration, then seed, then fold), which is
/// what `--shard K/N` splits on and what a results file records, so the numbering is
/// the same on every machine.
public struct SweepPlan: Sendable, Equatable {
    /// The axes; the first two are the rows and columns of the report's heatmaps.
    public var axes: [SweepAxis]
    /// How many grid points to draw (scikit-learn's `RandomizedSearchCV` over lists:
    /// without replacement); `nil` for the whole grid.
    public var randomCount: Int?
    /// The seed of that draw (stream `"sweep random"`).
    public var samplingSeed: UInt64
    /// The seeds each configuration is trained with (initial weights, batch order, dropout).
    public var seeds: [UInt64]
    /// `k` ≥ 2 for k-fold cross-validation, 1 for one hold-out split.
    public var folds: Int

    /// A plan; see the properties.
    public init(axes: [SweepAxis], randomCount: Int? = nil, samplingSeed: UInt64 = 0, seeds: [UInt64], folds: Int = 1) {
        self.axes = axes
        self.randomCount = randomCount
        self.samplingSeed = samplingSeed
        self.seeds = seeds
        self.folds = folds
    }

    /// The size of the full grid (1 with no axis).
    public var gridSize: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The position of each chosen configuration in the full grid, in grid order (the
    /// last axis varies fastest).
    public var gridIndices: [Int] {
        let n = gridSize
        guard let r = randomCount, r < n else { return Array(0..<n) }
        var all = Array(0..<n)
        var rng = SeededRNG(seed: samplingSeed, name: "sweep random")
        all.seededShuffle(using: &rng)
        return all.prefix(Swift.max(r, 0)).sorted()
    }

    /// The values of the grid point at `gridIndex`, one per axis.
    public func values(atGridIndex gridIndex: Int) -> [SweepValue] {
        var rest = gridIndex
        var out = [SweepValue](repeating: .none, count: axes.count)
        for a in axes.indices.reversed() {
            let n = axes[a].values.count
            out[a] = axes[a].values[rest % n]
            rest /= n
        }
        return out
    }

    /// The chosen configurations, each as its values, one per axis.
    public var configurations: [[SweepValue]] { gridIndices.map(values(atGridIndex:)) }

    /// Every trial, numbered from 0: configuration, then seed, then fold.
    public var trials: [SweepTrial] {
        let configs = gridIndices.count
        var out: [SweepTrial] = []
        out.reserveCapacity(configs * seeds.count * folds)
        for c in 0..<configs {
            for s in seeds.indices {
                for f in 0..<folds {
                    out.append(SweepTrial(index: out.count, configuration: c, seed: seeds[s], fold: f))
                }
            }
        }
        return out
    }

    /// The plan as JSON: what a results file's header records, to recognise its sweep.
    public var jsonValue: JSONValue {
        var o: JSONObject = [
            "axes": .array(axes.map { a in .object(["key": .string(a.key), "values": .array(a.values.map(\.jsonValue))]) }),
            "seeds": .array(seeds.map { .integer($0) }),
            "folds": .integer(folds),
        ]
        if let randomCount {
            o["random"] = .integer(randomCount)
            o["sampling_seed"] = .integer(samplingSeed)
        }
        return .object(o)
    }
}

/// One trial of a sweep: a configuration trained with one seed on one fold.
public struct SweepTrial: Sendable, Equatable, Hashable {
    /// The trial's number in the plan (from 0).
    public var index: Int
    /// The configuration's position in ``SweepPlan/configurations``.
    public var configuration: Int
    /// The seed.
    public var seed: UInt64
    /// The fold (0 for a hold-out split).
    public var fold: Int

    /// A trial.
    public init(index: Int, configuration: Int, seed: UInt64, fold: Int) {
        self.index = index
        self.configuration = configuration
        self.seed = seed
        self.fold = fold
    }
}

/// One machine's share of a sweep, `--shard K/N`: the trials whose number is `K − 1`
/// modulo `N` (the same ``Shard`` that splits a check).
public typealias SweepShard = Shard
