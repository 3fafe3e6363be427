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
        .init(name: "shard", valueName: "K/N", help: "check only shard K of N of the elements (--mode full) and write a gradcheck.check-part/1 file; gradcheck merge turns the N parts into the report of the whole check"),
        .init(name: "budget", valueName: "SECONDS", help: "--mode full: when the estimated time (calibrated by timing a few evaluations) exceeds SECONDS, check a seeded sample of every tensor that fits, reported as sampled with its fraction"),
        .init(name: "no-contracts", valueName: nil, help: "skip the backward-contract checks (linearity in the cotangent, zero cotangent, determinism, immutability)"),
    ] + OutputOptions.flags([.text, .json, .markdown])

    static var help: String {
        helpText(usage: "check SPEC [options]", description: """
        Verifies the gradient of every layer on its own (at its real input on the batch, against a
        random projection of its output) and of the whole model with its loss, with respect to the
        inputs and every trainable parameter: central differences in float64 against the backward
        pass. Dropout is active, with its mask held fixed across perturbations. An element where the
        one-sided differences disagree (ReLU at 0, a max-pool tie) is reported as `kink`, not `fail`.
        Each target's backward pass must also keep four contracts, for any cotangent: linear in it
        (rtol 1e-9 of the gradients' scale), zero at a zero cotangent, bit-identical when repeated,
        and leaving its inputs and parameters untouched (--no-contracts skips them).

        With --shard K/N the check covers a deterministic 1/N of the elements (chunks of every tensor,
        independent of --threads) and writes its part as JSON; `gradcheck merge part-*.json` gives exactly
        the report of the unsharded run.

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
        let shard = try args.string("shard").map { s throws(ShardError) in try Shard(parsing: s) }
        let budget = try args.double("budget", positive: true)
        if shard != nil || budget != nil, mode != .full {
            throw CLIError("--\(shard != nil ? "shard" : "budget") applies to --mode full (fast and dot modes are cheap: run them whole)")
        }
        if shard != nil, budget != nil {
            throw CLIError("--budget and --shard together: the sample would depend on each machine's timing; "
                + "give --max-elements N (a seeded sample, the same on every machine) instead")
        }
        if shard != nil, args.string("format") != nil, output.format != .json {
            throw CLIError("--shard writes a \(CheckPartFile.format) JSON part (merge the parts with gradcheck merge); --format \(output.format.rawValue) does not apply")
        }
        var checker = GradientChecker(tolerance: tolerance, maxElements: try args.int("max-elements", minimum: 1),
                                      seed: seed, threads: try args.int("threads", minimum: 1),
                                      mode: mode, relativeStep: args.has("relative-step"), richardson: args.has("richardson"))
        checker.shard = shard
        if args.has("no-layers") && args.has("no-model") {
            throw CLIError("--no-layers and --no-model together leave nothing to check")
        }
        var modelChecker = ModelChecker(checker: checker, seed: seed, layer: args.string("layer"),
                                        checkLayers: !args.has("no-layers"), checkModel: !args.has("no-model"),
                                        checkContracts: !args.has("no-contracts"))
        let start = Date()
        let report: CheckReport
        let batch: String
        var note: String?
        var sampling: Sampling?
        let progress = console.progress("gradcheck check")
        do {
            let session = try ModelSession(args, specPath: spec)
            // Full mode only: fast and dot modes cost a few evaluations per tensor, fewer
            // than the calibration would.
            if mode == .full {
                try estimateFirst(&modelChecker, session: session, budget: budget, sampling: &sampling, seed: seed, console: console)
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
        if let shard {
            let part = CheckPartFile(report: report, shard: shard, fingerprint: try fingerprint(args, spec: spec),
                                     settings: args.settings(excluding: CheckPartFile.unfingerprinted), batch: batch,
                                     note: note, seconds: seconds)
            try console.emit(JSONWriter.pretty.fileContents(for: part.json), output,
                             summary: "shard \(shard): " + (report.passed ? "passed" : "FAILED"))
            return report.passed ? 0 : 1
        }
        let rendered = render(report, format: output.format, batch: batch, note: note, sampling: sampling, seconds: seconds)
        try console.emit(rendered, output, summary: report.passed ? "passed" : "FAILED")
        return report.passed ? 0 : 1
    }


    /// Times a few evaluations, prints the estimate of a long check, and with `--budget`
    /// sets the sample fraction when the whole check would not fit.
    static func estimateFirst(_ modelChecker: inout ModelChecker, session: ModelSession, budget: Double?,
                              sampling: inout Sampling?, seed: UInt64, console: Console) throws {
        let estimate = try modelChecker.estimate(session.model, parameters: session.parameters,
                                                 inputs: session.inputs, targets: session.targets)
        if let budget, estimate.seconds > budget {
            // Time is linear in the elements checked, so this fraction of each tensor fits.
            modelChecker.checker.sampleFraction = budget / estimate.seconds
            sampling = Sampling(budget: budget, estimatedSeconds: estimate.seconds, seed: seed)
            console.note("note: --budget \(short(budget)) s: the whole check would take about \(seconds(estimate.seconds)); "
                + "checking a seeded sample of about \(String(format: "%.2g", 100 * budget / estimate.seconds)) % of every tensor "
                + "(at least \(GradientChecker.minimumSample) elements of each)")
        } else if estimate.seconds >= longRun {
            console.note("note: about \(estimate.evaluations) function evaluations, about \(seconds(estimate.seconds)) "
                + "(timed on a few of them); --budget SECONDS, --max-elements N, --mode fast or --layer NAME check less")
        }
    }

    /// A report in `format` (text, json or markdown).
    static func render(_ report: CheckReport, format: OutputFormat, batch: String, note: String?, sampling: Sampling? = nil,
                       seconds: Double) -> String {
        switch format {
        case .json: return JSONWriter.pretty.fileContents(for: json(report, batch: batch, note: note, sampling: sampling, seconds: seconds))
        case .markdown: return markdown(report, batch: batch, note: note, sampling: sampling, seconds: seconds)
        default: return text(report, batch: batch, note: note, sampling: sampling, seconds: seconds)
        }
    }

    /// What `--budget` did when the whole check would not fit.
    struct Sampling {
        /// The budget in seconds.
        var budget: Double
        /// The estimated time of the whole check.
        var estimatedSeconds: Double
        /// The seed of the sample.
        var seed: UInt64

        /// The fraction of the elements checked, over every tensor of `report`.
        func fraction(_ report: CheckReport) -> Double {
            let total = report.results.reduce(0) { $0 + $1.elementCount }
            return total > 0 ? Double(report.elementsChecked) / Double(total) : 1
        }

        /// The line under a report.
        func line(_ report: CheckReport) -> String {
            "SAMPLED: \(String(format: "%.2f", 100 * fraction(report))) % of the elements (\(report.elementsChecked) of "
                + "\(report.results.reduce(0) { $0 + $1.elementCount })), every tensor sampled on its own with seed \(seed): "
                + "--budget \(short(budget)) s, the whole check estimated at \(CheckCommand.seconds(estimatedSeconds))"
        }
    }

    /// A hash (64-bit FNV-1a, hex) of what decides a check's results: the bytes of the
    /// spec and of the weights, batch or data files, and the settings (every flag but the
    /// file paths, `--threads`, `--shard` and the output options). Parts of one check
    /// carry the same fingerprint on every machine.
    static func fingerprint(_ args: Arguments, spec: String) throws -> String {
        var h = FNV1a()
        // Each piece ends with a 0xFF byte (never in UTF-8 text), so pieces cannot run together.
        func mix(_ bytes: some Sequence<UInt8>) {
            h.mix(bytes)
            h.mix([0xFF])
        }
        for (flag, path) in [("spec", Optional(spec)), ("weights", args.string("weights")), ("batch", args.string("batch")),
                             ("data", args.string("data"))] {
            mix(flag.utf8)
            guard let path else { continue }
            do {
                mix(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CLIError("\(path): cannot read the file: \(FileProblem.reason(error, path: path, writing: false))")
            }
        }
        for setting in args.settings(excluding: CheckPartFile.unfingerprinted) { mix(setting.utf8) }
        return String(h.value, radix: 16)
    }

    /// A duration for a note: `3 s`, `0.012 s`.
    static func seconds(_ s: Double) -> String {
        s >= 10 ? "\(Int(s.rounded())) s" : String(format: "%.2g s", s)
    }

    /// Estimated runs at or above this many seconds print a note before they start.
    static let longRun = 30.0

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
        for c in report.contracts where c.status != .pass {
            lines.append("CONTRACT FAIL \(c.target) \(c.contract.title): \(contractDetail(c))")
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
        let contracts = report.contracts.isEmpty ? ""
            : ", \(report.contracts.count) contracts, \(report.contracts.filter { $0.status != .pass }.count) broken"
        return (report.passed ? "PASSED" : "FAILED") + ": \(report.results.count) checks, \(failed) failed"
            + contracts + ", \(report.elementsChecked) elements in \(String(format: "%.2f", seconds)) s"
    }

    /// What a contract result says: the largest deviation against what is allowed, and
    /// where it broke.
    static func contractDetail(_ c: ContractResult) -> String {
        let measured = c.contract == .linearity
            ? "deviation \(sci(c.deviation)) of the gradients' scale (allowed \(sci(c.allowed)))"
            : (c.status == .pass ? "exact" : "deviation \(sci(c.deviation)) (allowed 0)")
        guard let e = c.worst else { return measured }
        let place = "\(e.tensor)\(e.index)"
        switch c.contract {
        case .linearity:
            return "\(place): vjp(a·u + b·w) = \(short(e.actual)), a·vjp(u) + b·vjp(w) = \(short(e.expected)); \(measured)"
        case .zeroCotangent:
            return "\(place): gradient \(short(e.actual)) at a zero cotangent (expected exactly 0)"
        case .determinism:
            return "\(place): \(short(e.expected)) then \(short(e.actual)) (\(e.note ?? "repeated pass")); \(measured)"
        case .immutability:
            return "\(place) changed from \(short(e.expected)) to \(short(e.actual)) \(e.note ?? ""); \(measured)"
        }
    }

    static let contractHeader = ["target"] + BackwardContract.allCases.map(\.title)

    /// One row per target: each contract's status (linearity with its deviation).
    static func contractRows(_ report: CheckReport) -> [[String]] {
        var targets: [String] = []
        for c in report.contracts where !targets.contains(c.target) { targets.append(c.target) }
        return targets.map { t in
            [t] + BackwardContract.allCases.map { kind in
                guard let c = report.contracts.first(where: { $0.target == t && $0.contract == kind }) else { return "-" }
                return c.status.rawValue + (kind == .linearity ? " (\(sci(c.deviation)))" : "")
            }
        }
    }

    /// The line above the contracts table: what each contract allows.
    static let contractsLine = "backward contracts: linearity in the cotangent within "
        + "\(sci(ContractChecker.linearityTolerance)) of the gradients' scale (rounding: about n·eps for a reduction "
        + "of n terms); zero cotangent, determinism and immutability exact (bit for bit)"

    static func text(_ report: CheckReport, batch: String, note: String? = nil, sampling: Sampling? = nil, seconds: Double) -> String {
        var out = "gradcheck check \(report.model): loss \(short(report.loss)) on \(batch)\n"
        if report.results.first?.method == .dotProduct {
            out += Self.dotProductLine + "\n\n"
        } else if isTaylor(report) {
            out += Self.taylorLine + "\n\n"
        } else {
            out += "step \(sci(report.tolerance.step)), atol \(sci(report.tolerance.absolute)), rtol \(sci(report.tolerance.relative))\n\n"
        }
        out += table(isTaylor(report) ? taylorHeader : header, rows(report), rightAligned: [2, 3, 4])
        if !report.contracts.isEmpty {
            out += "\n" + contractsLine + "\n" + table(contractHeader, contractRows(report), rightAligned: [])
        }
        let f = findings(report)
        if !f.isEmpty { out += "\n" + f.joined(separator: "\n") + "\n" }
        if let note { out += "\nnote: \(note)\n" }
        if let sampling { out += "\n" + sampling.line(report) + "\n" }
        out += "\n" + summaryLine(report, seconds: seconds) + "\n"
        return out
    }

    static func markdown(_ report: CheckReport, batch: String, note: String? = nil, sampling: Sampling? = nil, seconds: Double) -> String {
        var out = "## gradcheck check: `\(report.model)`\n\n"
        out += "Loss \(short(report.loss)) on \(batch); step \(sci(report.tolerance.step)), "
        out += "atol \(sci(report.tolerance.absolute)), rtol \(sci(report.tolerance.relative)).\n\n"
        if isTaylor(report) { out += Self.taylorLine + ".\n\n" }
        out += markdownTable(isTaylor(report) ? taylorHeader : header, rows(report))
        if !report.contracts.isEmpty {
            out += "\n" + contractsLine.prefix(1).uppercased() + contractsLine.dropFirst() + ".\n\n"
            out += markdownTable(contractHeader, contractRows(report))
        }
        let f = findings(report)
        if !f.isEmpty { out += "\n" + f.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        if let note { out += "\nNote: \(note).\n" }
        if let sampling { out += "\n" + sampling.line(report) + "\n" }
        out += "\n**" + summaryLine(report, seconds: seconds) + "**\n"
        return out
    }

    static func json(_ report: CheckReport, batch: String, note: String? = nil, sampling: Sampling? = nil, seconds: Double) -> JSONValue {
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
        if !report.contracts.isEmpty {
            document["contracts"] = .array(report.contracts.map { c in
                var o: JSONObject = ["target": .string(c.target), "contract": .string(c.contract.rawValue),
                                     "status": .string(c.status.rawValue), "detail": .string(contractDetail(c)),
                                     "deviation": .number(c.deviation), "allowed": .number(c.allowed)]
                if let e = c.worst {
                    var w: JSONObject = ["tensor": .string(e.tensor), "index": .integers(e.index),
                                         "expected": .number(e.expected), "actual": .number(e.actual)]
                    if let note = e.note { w["note"] = .string(note) }
                    o["worst"] = .object(w)
                }
                return .object(o)
            })
        }
        if let note { document["notes"] = .array([.string(note)]) }
        if let sampling {
            document["sampled"] = .object([
                "fraction": .number(sampling.fraction(report)), "budget_seconds": .number(sampling.budget),
                "estimated_seconds": .number((sampling.estimatedSeconds * 1000).rounded() / 1000), "seed": .integer(sampling.seed),
            ])
        }
        return .object(document)
    }
}
