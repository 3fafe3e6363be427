import Foundation
import GradCheck

/// `gradcheck check SPEC`: central differences against the backward pass, for every
/// layer on its own and for the whole model with its loss.
enum CheckCommand {
    static let flags: [Arguments.Flag] = ModelSession.flags + [
        .init(name: "eps", valueName: "H", help: "finite-difference step (default: 1e-6)"),
        .init(name: "atol", valueName: "A", help: "absolute tolerance (default: 1e-8)"),
        .init(name: "rtol", valueName: "R", help: "relative tolerance (default: 1e-5); an element passes when |analytic - numerical| <= atol + rtol * max(|analytic|, |numerical|)"),
        .init(name: "layer", valueName: "NAME", help: "check only this layer (on its own, and the model's gradient for its parameters)"),
        .init(name: "max-elements", valueName: "N", help: "check at most N elements of each tensor, sampled with --seed (default: all)"),
        .init(name: "threads", valueName: "N", help: "worker threads (default: every core)"),
        .init(name: "mode", valueName: "full|fast|dot|taylor", help: "full: every element, located (default); fast: random directional probes per tensor (PyTorch's fast_mode), far cheaper, not located; dot: the dot-product test <J u, v> = <u, J^T v> per tensor, forward mode (JVPs) against the backward pass (VJPs), no finite differences, relative tolerance 1e-9; taylor: the remainder |f(x+hv) - f(x) - h grad.v| over h = 1e-1..1e-6 relative must shrink at rate >= 1.8 (2 for a correct gradient, 1 for a wrong one), no step to choose"),
        .init(name: "probes", valueName: "N", help: "random probes per tensor in fast, dot and taylor modes (default: 4)"),
        .init(name: "richardson", valueName: nil, help: "fourth-order Richardson extrapolation of the differences, with an estimate of their truncation error"),
        .init(name: "relative-step", valueName: nil, help: "scale each element's step by max(1, |x|)"),
        .init(name: "no-layers", valueName: nil, help: "skip the per-layer checks"),
        .init(name: "no-model", valueName: nil, help: "skip the whole-model check"),
    ] + OutputOptions.flags([.text, .json, .markdown])

    static var help: String {
        helpText(usage: "check SPEC [options]", description: """
        Verifies the gradient of every layer on its own (at its real input on the batch, against a
        random projection of its output) and of the whole model with its loss, with respect to the
        inputs and every trainable parameter: central differences in float64 against the backward
        pass. Dropout is active, with its mask held fixed across perturbations. An element where the
        one-sided differences disagree (ReLU at 0, a max-pool tie) is reported as `kink`, not `fail`.

        Exit status: 0 when every check passes (kinks allowed), 1 when any fails, 2 on bad input.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let spec = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: [.text, .json, .markdown])
        console.apply(output)
        var tolerance = CheckTolerance.float64
        tolerance.step = try args.double("eps", positive: true) ?? tolerance.step
        if let a = try args.double("atol") {
            guard a >= 0 else { throw CLIError("--atol: expected a non-negative number, got \(a)") }
            tolerance.absolute = a
        }
        if let r = try args.double("rtol") {
            guard r >= 0 else { throw CLIError("--rtol: expected a non-negative number, got \(r)") }
            tolerance.relative = r
        }
        let probes = try args.int("probes", minimum: 1) ?? 4
        let mode: CheckMode
        switch try args.choice("mode", ["full", "fast", "dot", "taylor"]) {
        case "fast": mode = .fast(probes: probes)
        case "dot": mode = .dotProduct(probes: probes)
        case "taylor": mode = .taylor(probes: probes)
        default: mode = .full
        }
        if args.string("probes") != nil, mode == .full { throw CLIError("--probes applies to --mode fast, dot and taylor") }
        let seed = try args.seed("seed") ?? 0
        let checker = GradientChecker(tolerance: tolerance, maxElements: try args.int("max-elements", minimum: 1),
                                      seed: seed, threads: try args.int("threads", minimum: 1),
                                      mode: mode, relativeStep: args.has("relative-step"), richardson: args.has("richardson"))
        if args.has("no-layers") && args.has("no-model") {
            throw CLIError("--no-layers and --no-model together leave nothing to check")
        }
        let modelChecker = ModelChecker(checker: checker, seed: seed, layer: args.string("layer"),
                                        checkLayers: !args.has("no-layers"), checkModel: !args.has("no-model"))
        let start = Date()
        let report: CheckReport
        let batch: String
        var note: String?
        let progress = console.progress("gradcheck check")
        do {
            let session = try ModelSession(args, specPath: spec)
            if let estimate = estimate(session.model, checker: modelChecker), estimate.seconds >= longRun {
                console.err("note: about \(estimate.evaluations) function evaluations; at a rough "
                    + "\(sci(secondsPerValue)) s per value computed this takes about \(Int(estimate.seconds.rounded())) s "
                    + "(--max-elements N, --mode fast or --layer NAME check less)")
            }
            var observed = modelChecker
            observed.progress = { done, total in progress.update(done: done, total: total, unit: "elements") }
            report = try observed.check(session.model, parameters: session.parameters,
                                        inputs: session.inputs, targets: session.targets)
            batch = session.batchDescription
            note = session.model.augmentationCheckNote
        } catch let found as NonfiniteInput {
            report = CheckReport(model: found.model, loss: .nan, tolerance: tolerance, results: [], nonfinite: found.value)
            batch = found.batchDescription
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let rendered: String
        switch output.format {
        case .json: rendered = JSONWriter.pretty.fileContents(for: json(report, batch: batch, note: note, seconds: seconds))
        case .markdown: rendered = markdown(report, batch: batch, note: note, seconds: seconds)
        default: rendered = text(report, batch: batch, note: note, seconds: seconds)
        }
        try console.emit(rendered, output, summary: report.passed ? "passed" : "FAILED")
        return report.passed ? 0 : 1
    }

    /// Estimated runs at or above this many seconds print a note before they start.
    static let longRun = 30.0
    /// A rough cost of computing one value of a forward pass (a multiply-add), for the
    /// estimate: measured at about 1e-9 s on the release build, rounded up.
    static let secondsPerValue = 2e-9

    /// A rough cost of a check, before it runs: the objective evaluations (two per element
    /// in full mode, two per probe otherwise) times the values a forward pass computes
    /// (parameters × samples, a stand-in for its multiply-adds). `nil` when there is
    /// nothing to count.
    static func estimate(_ model: Model, checker: ModelChecker) -> (evaluations: Int, seconds: Double)? {
        let parameters = model.parameters.filter(\.trainable).map(\.count)
        let inputs = model.inputShape.reduce(1, *)
        var evaluations = 0
        let tensors = parameters + [inputs]
        for n in tensors {
            switch checker.checker.mode {
            case .full: evaluations += 2 * min(n, checker.checker.maxElements ?? n)
            case let .fast(probes), let .dotProduct(probes): evaluations += 4 * probes
            case let .taylor(probes): evaluations += 15 * probes
            }
        }
        if checker.checkLayers && checker.checkModel { evaluations *= 2 }
        let perEvaluation = Double(max(1, parameters.reduce(0, +)))
        // A perturbation reruns only what lies downstream of it, and stacks many into one
        // pass: about a tenth of a whole forward pass each, on average.
        let seconds = Double(evaluations) * perEvaluation * secondsPerValue / 10
        return evaluations > 0 ? (evaluations, seconds) : nil
    }

    static func rows(_ report: CheckReport) -> [[String]] {
        if isTaylor(report) { return taylorRows(report) }
        return report.results.map { r in
            [r.target, r.parameter,
             r.method != .elements ? "\(r.elementsChecked) probes"
                : (r.elementsChecked == r.elementCount ? "\(r.elementCount)" : "\(r.elementsChecked)/\(r.elementCount)"),
             sci(r.maxAbsoluteError), sci(r.maxRelativeError), r.status.rawValue + (r.kinks > 0 && r.status != .kink ? " (\(r.kinks) kinks)" : "")]
        }
    }

    static let header = ["target", "parameter", "elements", "max abs err", "max rel err", "status"]

    /// Whether the report is of Taylor mode (its table shows rates, not errors).
    static func isTaylor(_ report: CheckReport) -> Bool {
        report.results.contains { $0.method == .taylor || $0.taylor != nil }
    }

    /// The Taylor mode's table: per tensor, the probes, the decisive probe's fitted rate and
    /// the steps it was fitted over.
    static let taylorHeader = ["target", "parameter", "probes", "rate", "h range", "status"]

    static func taylorRows(_ report: CheckReport) -> [[String]] {
        report.results.map { r in
            let fit = r.taylor
            let rate = fit?.rate.map { String(format: "%.2f", $0) } ?? (fit?.exact == true ? "exact" : "-")
            let range = fit.flatMap { f in
                f.smallestStep.map { "\(sci($0))..\(sci(f.largestStep ?? $0))" } ?? f.exactBelow.map { "<= \(sci($0))" }
            } ?? "-"
            return [r.target, r.parameter,
                    r.method == .elements ? "\(r.elementsChecked) elements" : "\(r.elementsChecked) probes",
                    rate, range, r.status.rawValue + (r.kinks > 0 && r.status != .kink ? " (\(r.kinks) kinks)" : "")]
        }
    }

    /// What the Taylor mode checks, for the report's header.
    static let taylorLine = "Taylor test: |f(x+hv) - f(x) - h grad.v| over h = 1e-1..1e-6 x max(1, |x|), "
        + "fitted above the rounding floor; passes at rate >= \(TaylorFit.passingRate) (2 when correct, 1 when wrong)"

    /// What the dot-product mode compares, for the report's header.
    static let dotProductLine = "dot-product test <J u, v> (forward mode) = <u, J^T v> (backward): rtol "
        + "\(sci(GradientChecker.defaultDotProductTolerance)) of max(|Ju||v|, |u||J^T v|), floor "
        + "\(sci(GradientChecker.dotProductAbsoluteFloor))|u||v|"

    static func findings(_ report: CheckReport) -> [String] {
        var lines: [String] = []
        if let bad = report.nonfinite {
            lines.append("NON-FINITE \(bad): a check on non-finite numbers proves nothing; nothing was checked")
        }
        for s in report.skipped {
            lines.append("SKIPPED \(s.target) \(s.parameter): \(s.reason)")
        }
        for r in report.results where r.status != .pass {
            if let note = r.note, r.elementsChecked == 0 {
                lines.append("NOT CHECKED \(r.target) \(r.parameter): \(note)")
                continue
            }
            if r.status == .kink, let note = r.note {
                lines.append("KINK \(r.target) \(r.parameter): \(note)")
                continue
            }
            defer { if let note = r.note { lines.append("  (\(note))") } }
            guard let w = r.worst else { continue }
            let where_ = r.method != .elements ? "\(r.target) \(r.parameter) (probe \(w.index[0]))"
                                               : "\(r.target) \(r.parameter)\(w.index)"
            if r.status == .fail, r.method == .dotProduct {
                lines.append("FAIL \(where_): <u, J^T v> (backward) \(short(w.analytic)), <J u, v> (forward) \(short(w.numerical)) "
                    + "(abs err \(sci(w.absoluteError)), allowed \(sci(w.allowedError))); "
                    + "\(r.failures) of \(r.elementsChecked) probes fail")
            } else if r.status == .fail {
                lines.append("FAIL \(where_): analytic \(short(w.analytic)), numerical \(short(w.numerical)) "
                    + "(abs err \(sci(w.absoluteError)), rel err \(sci(w.relativeError)), allowed \(sci(w.allowedError))); "
                    + "\(r.failures) of \(r.elementsChecked) elements fail")
            } else {
                lines.append("KINK \(where_): one-sided differences \(short(w.backwardDifference)) (left) and "
                    + "\(short(w.forwardDifference)) (right), analytic \(short(w.analytic)): a non-differentiable point, "
                    + "not a bug; \(r.kinks) element(s)")
            }
        }
        return lines
    }

    /// A Taylor fit in the check JSON: the rate (null without one), the window of steps
    /// it was fitted over, and every step with its remainder.
    static func taylorJSON(_ fit: TaylorFit) -> JSONValue {
        var o: JSONObject = [
            "rate": fit.rate.map { .number($0) } ?? .null, "points": .integer(fit.points), "floor": .number(fit.floor),
            "exact": .bool(fit.exact), "exact_below": fit.exactBelow.map { .number($0) } ?? .null,
            "steps": .array(fit.steps.map { .number($0) }), "remainders": .array(fit.remainders.map { .number($0) }),
        ]
        if let lo = fit.smallestStep, let hi = fit.largestStep {
            o["h_min"] = .number(lo)
            o["h_max"] = .number(hi)
        }
        return .object(o)
    }

    static func summaryLine(_ report: CheckReport, seconds: Double) -> String {
        let failed = report.results.filter { $0.status == .fail }.count
        if report.nonfinite != nil {
            return "FAILED: a non-finite value, nothing checked"
        }
        return (report.passed ? "PASSED" : "FAILED") + ": \(report.results.count) checks, \(failed) failed, "
            + "\(report.elementsChecked) elements in \(String(format: "%.2f", seconds)) s"
    }

    static func text(_ report: CheckReport, batch: String, note: String? = nil, seconds: Double) -> String {
        var out = "gradcheck check \(report.model): loss \(short(report.loss)) on \(batch)\n"
        if report.results.first?.method == .dotProduct {
            out += Self.dotProductLine + "\n\n"
        } else if isTaylor(report) {
            out += Self.taylorLine + "\n\n"
        } else {
            out += "step \(sci(report.tolerance.step)), atol \(sci(report.tolerance.absolute)), rtol \(sci(report.tolerance.relative))\n\n"
        }
        out += table(isTaylor(report) ? taylorHeader : header, rows(report), rightAligned: [2, 3, 4])
        let f = findings(report)
        if !f.isEmpty { out += "\n" + f.joined(separator: "\n") + "\n" }
        if let note { out += "\nnote: \(note)\n" }
        out += "\n" + summaryLine(report, seconds: seconds) + "\n"
        return out
    }

    static func markdown(_ report: CheckReport, batch: String, note: String? = nil, seconds: Double) -> String {
        var out = "## gradcheck check: `\(report.model)`\n\n"
        out += "Loss \(short(report.loss)) on \(batch); step \(sci(report.tolerance.step)), "
        out += "atol \(sci(report.tolerance.absolute)), rtol \(sci(report.tolerance.relative)).\n\n"
        if isTaylor(report) { out += Self.taylorLine + ".\n\n" }
        out += markdownTable(isTaylor(report) ? taylorHeader : header, rows(report))
        let f = findings(report)
        if !f.isEmpty { out += "\n" + f.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        if let note { out += "\nNote: \(note).\n" }
        out += "\n**" + summaryLine(report, seconds: seconds) + "**\n"
        return out
    }

    static func json(_ report: CheckReport, batch: String, note: String? = nil, seconds: Double) -> JSONValue {
        let checks: [JSONValue] = report.results.map { r in
            var o: JSONObject = [
                "target": .string(r.target), "parameter": .string(r.parameter), "status": .string(r.status.rawValue),
                "max_abs_error": .number(r.maxAbsoluteError), "max_rel_error": .number(r.maxRelativeError),
            ]
            if let w = r.worst {
                o["index"] = .integers(w.index)
                o["analytic"] = .number(w.analytic)
                o["numerical"] = .number(w.numerical)
            }
            o["method"] = .string(r.method.rawValue)
            if let note = r.note { o["note"] = .string(note) }
            if let t = r.maxTruncationEstimate { o["truncation_error"] = .number(t) }
            if let fit = r.taylor { o["taylor"] = taylorJSON(fit) }
            o["shape"] = .integers(r.shape)
            o["elements_checked"] = .integer(r.elementsChecked)
            o["elements"] = .integer(r.elementCount)
            o["failures"] = .integer(r.failures)
            o["kinks"] = .integer(r.kinks)
            if !r.failingElements.isEmpty {
                o["failing"] = .array(r.failingElements.map { e in
                    .object(["index": .integers(e.index), "analytic": .number(e.analytic), "numerical": .number(e.numerical)])
                })
            }
            return .object(o)
        }
        var extra: JSONObject = [:]
        if let bad = report.nonfinite {
            var o: JSONObject = ["place": .string(bad.place), "value": .number(bad.value)]
            if let file = bad.file { o["file"] = .string(file) }
            extra["nonfinite"] = .object(o)
        }
        if !report.skipped.isEmpty {
            extra["skipped"] = .array(report.skipped.map {
                .object(["target": .string($0.target), "parameter": .string($0.parameter), "reason": .string($0.reason)])
            })
        }
        var document: JSONObject = [
            "format": "gradcheck.check/1", "passed": .bool(report.passed), "model": .string(report.model),
            "loss": .number(report.loss),
            "tolerance": .object(["step": .number(report.tolerance.step), "atol": .number(report.tolerance.absolute),
                                  "rtol": .number(report.tolerance.relative)]),
            "seconds": .number((seconds * 1000).rounded() / 1000),
            "checks": .array(checks),
        ]
        for (key, value) in extra { document[key] = value }
        if let note { document["notes"] = .array([.string(note)]) }
        return .object(document)
    }
}
