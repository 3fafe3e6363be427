import Foundation
import GradCheckClipping
import GradCheckNN

extension ClippingLabResult {
    /// The table's header cells.
    static let header = ["policy", "diverged", "final loss", "best loss", "final acc", "best acc", "clip rate",
                         "cos→raw", "norm before", "norm after", "steps→target"]

    /// The table's rows, as text cells.
    public var rows: [[String]] {
        policies.map { p in
            [p.name, "\(p.diverged)/\(p.runs.count)",
             Self.spread(p.finalLoss, Self.loss), Self.spread(p.bestLoss, Self.loss),
             p.finalAccuracy.map { Self.spread($0, Self.accuracy) } ?? "—",
             p.bestAccuracy.map { Self.spread($0, Self.accuracy) } ?? "—",
             Self.percent(p.telemetry.clipRate), Self.cosine(p.telemetry.meanCosineWhenTriggered),
             Self.norm(p.telemetry.medianNormBefore), Self.norm(p.telemetry.medianNormAfter),
             p.medianStepsToTarget.map { "\(Self.steps($0)) (\(p.stepsToTarget.compactMap { $0 }.count)/\(p.runs.count))" } ?? "—"]
        }
    }

    /// One line describing the setting.
    public var settingLine: String {
        let t = configuration.training
        var s = "\(modelName): \(trainingSamples) training / \(validationSamples) validation samples; "
        s += "\(t.optimizer.kind.rawValue) lr \(Self.general(t.optimizer.learningRate)), \(t.epochs) epochs, batch \(t.batchSize); "
        s += "seeds \(seeds.first!)…\(seeds.last!) (\(seeds.count))"
        return s
    }

    /// The notes under the table.
    public var notes: [String] {
        [
            "loss and accuracy: \(metricSource) part, median [min–max] over seeds; a diverged seed counts as loss inf, accuracy 0",
            "diverged: a non-finite loss or gradient stopped the run, or it ended with a training loss above its first step's",
            "clip rate: fraction of steps where the policy triggered; cos→raw: mean cosine between clipped and raw gradient on those steps",
            "norms: median global gradient norm before / after clipping over all steps of all seeds",
            "steps→target: median steps until the \(smoothingWindow)-step mean batch loss ≤ \(Self.general(targetLoss))"
                + (targetLossGiven ? "" : " (the median final loss of the runs that did not diverge)")
                + ", (seeds that got there); — when most never did",
        ]
    }

    /// The table as plain text.
    public func text() -> String {
        var out = "gradcheck clip-lab \(settingLine)\n\n"
        out += Self.table(Self.header, rows)
        out += "\n" + notes.joined(separator: "\n") + "\n"
        return out
    }

    /// The table as Markdown.
    public func markdown() -> String {
        var out = "## gradcheck clip-lab: `\(modelName)`\n\n\(settingLine).\n\n"
        out += "| " + Self.header.joined(separator: " | ") + " |\n"
        out += "|" + Self.header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + r.joined(separator: " | ") + " |\n" }
        out += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n"
        return out
    }

    /// `{"format": "gradcheck.cliplab/1", "runs": [...]}` (FORMATS.md §4): one entry
    /// per policy. A statistic with no value (the cosine of a policy that never
    /// triggered) is `null`; infinite medians (diverged seeds) are written `"inf"`.
    public func json() -> JSONValue {
        func num(_ x: Double) -> JSONValue { x.isNaN ? .null : .number(x) }
        func stat(_ s: LabStatistic?) -> JSONValue {
            guard let s else { return .null }
            return .object(JSONObject([("median", num(s.median)), ("min", num(s.min)), ("max", num(s.max))]))
        }
        let t = configuration.training
        let runs: [JSONValue] = policies.map { p in
            let s = p.telemetry
            return .object(JSONObject([
                ("policy", .string(p.name)), ("seeds", .number(Double(p.runs.count))),
                ("diverged", .number(Double(p.diverged))), ("final_loss", num(p.finalLoss.median)),
                ("clip_rate", num(s.clipRate)), ("cosine_to_raw", num(s.meanCosineWhenTriggered)),
                ("norm_before", num(s.medianNormBefore)), ("norm_after", num(s.medianNormAfter)),
                ("final_loss_spread", stat(p.finalLoss)), ("best_loss", stat(p.bestLoss)),
                ("final_accuracy", stat(p.finalAccuracy)), ("best_accuracy", stat(p.bestAccuracy)),
                ("min_cosine_to_raw", num(s.minCosineWhenTriggered)),
                ("min_tensor_cosine_to_raw", num(p.minTensorCosine)),
                ("clipped_fraction", num(s.meanClippedFractionWhenTriggered)),
                ("steps_to_target", p.medianStepsToTarget.map { .number($0) } ?? .null),
                ("per_seed", .array(p.runs.map { r in
                    .object(JSONObject([
                        ("seed", .number(Double(r.seed))), ("status", .string(r.status.rawValue)),
                        ("diverged", .bool(r.diverged)), ("final_loss", num(r.finalLoss)), ("best_loss", num(r.bestLoss)),
                        ("final_accuracy", r.finalAccuracy.map(num) ?? .null), ("steps", .number(Double(r.stepLosses.count))),
                        ("steps_to_target", r.stepsToReach(targetLoss, window: smoothingWindow).map { .number(Double($0)) } ?? .null),
                    ]))
                })),
            ]))
        }
        return .object(JSONObject([
            ("format", .string("gradcheck.cliplab/1")), ("model", .string(modelName)),
            ("optimizer", .string(t.optimizer.kind.rawValue)), ("learning_rate", .number(t.optimizer.learningRate)),
            ("epochs", .number(Double(t.epochs))), ("batch_size", .number(Double(t.batchSize))),
            ("seeds", .array(seeds.map { .number(Double($0)) })),
            ("train_samples", .number(Double(trainingSamples))), ("validation_samples", .number(Double(validationSamples))),
            ("metric_source", .string(metricSource)), ("target_loss", num(targetLoss)),
            ("runs", .array(runs)),
        ]))
    }

    // MARK: - Number text

    static func spread(_ s: LabStatistic, _ f: (Double) -> String) -> String {
        s.min == s.max ? f(s.median) : "\(f(s.median)) [\(f(s.min))–\(f(s.max))]"
    }

    static func loss(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : finiteText(x) }
    static func accuracy(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : finiteText(x) }
    static func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", x * 100) : "—" }
    static func cosine(_ x: Double) -> String { x.isFinite ? String(format: "%.6f", x) : "—" }
    static func norm(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : finiteText(x) }
    static func steps(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }
    static func general(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : finiteText(x) }
    static func finiteText(_ x: Double) -> String { x.isNaN ? "—" : (x > 0 ? "inf" : "-inf") }

    /// A fixed-width table, numbers left-aligned like the words.
    static func table(_ header: [String], _ rows: [[String]]) -> String { SweepText.table(header, rows) }
}
