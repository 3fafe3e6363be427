import Foundation
import GradCheckNN

extension SweepResult {
    /// The table's header cells: rank, one column per axis, then the metric and health.
    public var columns: [String] {
        ["rank"] + header.plan.axes.map(\.key)
            + ["\(header.metric.name) mean ± std", "diverged", "health", "findings (trials)", "s/trial"]
    }

    /// The table's rows, best configuration first.
    public var rows: [[String]] {
        ranked.map { c in
            [String(c.rank!)] + c.values.map(\.text) + [
                Self.metricText(c.metricMean) + " ± " + Self.metricText(c.metricStd),
                "\(c.diverged)/\(c.trials.count)",
                c.verdict.rawValue,
                c.findingCounts.isEmpty ? "—" : c.findingCounts.prefix(3).map { "\($0.kind) (\($0.count))" }.joined(separator: ", "),
                String(format: "%.2f", c.trials.map(\.seconds).reduce(0, +) / Double(Swift.max(c.trials.count, 1))),
            ]
        }
    }

    /// One line describing the sweep.
    public var settingLine: String {
        let plan = header.plan
        var s = "\(header.spec.name): \(plan.gridIndices.count) configuration\(plan.gridIndices.count == 1 ? "" : "s")"
        if let r = plan.randomCount, r < plan.gridSize { s += " (random \(r) of \(plan.gridSize))" }
        s += " × \(plan.seeds.count) seed\(plan.seeds.count == 1 ? "" : "s")"
        s += plan.folds >= 2 ? " × \(plan.folds) folds (KFold, shuffled, seed \(header.splitSeed))"
            : " on one hold-out split (validation_split \(Self.general(header.validationSplit)), seed \(header.splitSeed))"
        s += "; \(results.count) of \(plan.trials.count) trials finished"
        if let shard = header.shard { s += " (shard \(shard))" }
        return s
    }

    /// The notes under the table.
    public var notes: [String] {
        var n = [
            "\(header.metric.name): the last epoch's, mean and population std over the trials (seeds × folds), "
                + "\(header.metric.higherIsBetter ? "higher" : "lower") is better; a diverged trial counts as \(Self.metricText(header.metric.worst))",
            "diverged: a non-finite loss, gradient or metric stopped or ended the run, or the health report found loss_divergence or nonfinite",
            "health: the worst verdict of the health monitor over the trials; findings: how many trials had each (most frequent first)",
        ]
        if !missingTrials.isEmpty { n.append("\(missingTrials.count) trial(s) not finished yet: the ranks cover the finished ones") }
        return n
    }

    /// The ranked table as fixed-width text, with the setting line, the best
    /// configuration and the notes.
    public func text() -> String {
        var out = "gradcheck sweep \(settingLine)\n\n"
        out += SweepText.table(columns, rows)
        if let b = best { out += "\nbest: " + bestText(b) + "\n" }
        out += "\n" + notes.map { "  \($0)" }.joined(separator: "\n") + "\n"
        return out
    }

    /// The ranked table as Markdown.
    public func markdown() -> String {
        var out = "## gradcheck sweep: `\(header.spec.name)`\n\n\(settingLine).\n\n"
        out += SweepText.markdownTable(columns, rows)
        if let b = best { out += "\nBest: " + bestText(b) + ".\n" }
        out += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n"
        return out
    }

    func bestText(_ b: SweepConfigurationSummary) -> String {
        let values = zip(header.plan.axes, b.values).map { "\($0.key)=\($1.text)" }.joined(separator: ", ")
        return (values.isEmpty ? "the spec as it is" : values)
            + " (\(header.metric.name) \(Self.metricText(b.metricMean)), \(b.verdict.rawValue))"
    }

    /// `gradcheck.sweep/1`: the setting, the best configuration and every configuration
    /// with its rank, values, metric mean and std, trial and divergence counts, verdict,
    /// finding counts and mean seconds per trial. Non-finite numbers are `"inf"`/`"nan"`.
    public func json() -> JSONValue {
        let plan = header.plan
        func values(_ c: SweepConfigurationSummary) -> JSONValue {
            .object(JSONObject(zip(plan.axes, c.values).map { ($0.key, $1.jsonValue) }))
        }
        let configs: [JSONValue] = (ranked + configurations.filter { $0.rank == nil }).map { c in
            .object([
                "rank": c.rank.map { .integer($0) } ?? .null,
                "configuration": .integer(c.index),
                "values": values(c),
                "metric_mean": .number(c.metricMean),
                "metric_std": .number(c.metricStd),
                "trials": .integer(c.trials.count),
                "expected_trials": .integer(c.expected),
                "diverged": .integer(c.diverged),
                "verdict": .string(c.verdict.rawValue),
                "findings": .object(JSONObject(c.findingCounts.map { ($0.kind, JSONValue.integer($0.count)) })),
                "mean_seconds": .number((c.trials.map(\.seconds).reduce(0, +) / Double(Swift.max(c.trials.count, 1)) * 1000).rounded() / 1000),
            ])
        }
        var o: JSONObject = [
            "format": "gradcheck.sweep/1",
            "model": .string(header.spec.name),
            "metric": .object(["name": .string(header.metric.name), "higher_is_better": .bool(header.metric.higherIsBetter)]),
            "plan": plan.jsonValue,
            "split": .object(["folds": .integer(plan.folds), "seed": .integer(header.splitSeed),
                              "validation_split": .number(header.validationSplit)]),
            "trials": .object(["total": .integer(plan.trials.count), "finished": .integer(results.count),
                               "missing": .integer(missingTrials.count)]),
        ]
        o["shard"] = header.shard.map { .string($0.description) } ?? .null
        o["best"] = best.map { b in .object(["configuration": .integer(b.index), "values": values(b), "metric_mean": .number(b.metricMean)]) } ?? .null
        o["mean_seconds_per_trial"] = .number((meanTrialSeconds * 1000).rounded() / 1000)
        o["configurations"] = .array(configs)
        return .object(o)
    }

    static func metricText(_ x: Double) -> String {
        x.isFinite ? String(format: "%.4f", x) : (x.isNaN ? "—" : (x > 0 ? "inf" : "-inf"))
    }

    static func general(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : (x.isNaN ? "nan" : "inf") }
}
