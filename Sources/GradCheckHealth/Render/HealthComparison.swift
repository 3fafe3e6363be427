import GradCheckNN

/// Several runs' health reports side by side: the question after changing one thing
/// (the learning rate, the initialisation, the clipping) and training again.
///
/// Renders a table of each run's verdict, root cause and findings as text, Markdown or
/// JSON (`gradcheck.healthcompare/1`: `runs`, each a `gradcheck.health/1` report plus its
/// `source`), and an HTML page with the same charts for every run overlaid (loss, global
/// gradient norm) and each run's finding markers.
public struct HealthComparison: Sendable {
    /// The reports, in the order given.
    public let reports: [HealthReport]

    /// Compares `reports` (their ``HealthReport/source`` names them).
    public init(_ reports: [HealthReport]) {
        self.reports = reports
    }

    /// The worst verdict of the runs.
    public var verdict: HealthVerdict {
        if reports.contains(where: { $0.verdict == .unhealthy }) { return .unhealthy }
        if reports.contains(where: { $0.verdict == .warning }) { return .warning }
        return .healthy
    }

    private func name(_ k: Int) -> String { reports[k].source ?? reports[k].model ?? "run \(k + 1)" }

    /// The kinds found in any run, in chain order.
    private var kinds: [FindingKind] {
        let found = Set(reports.flatMap { $0.findings.map(\.kind) })
        return (CausalOrder.chain + FindingKind.allCases).reduce(into: [FindingKind]()) { list, k in
            if found.contains(k), !list.contains(k) { list.append(k) }
        }
    }

    /// `critical from 12 (root)` for a run's worst finding of `kind`, or `-`.
    private func cell(_ report: HealthReport, _ kind: FindingKind) -> String {
        let fs = report.findings(kind)
        guard let f = fs.max(by: { $0.severity < $1.severity }) else { return "-" }
        var text = f.severity.rawValue
        if let s = f.firstStep { text += " from \(s)" }
        text += f.isRootCause ? " (root)" : " (after \(f.consequenceOf ?? ""))"
        return text
    }

    /// A terminal table: one block per run (verdict, root cause, steps), then one row per
    /// kind of finding with each run's column.
    public func text() -> String {
        var out = "Comparing \(reports.count) runs (worst verdict: \(verdict.rawValue.uppercased()))\n"
        for (k, r) in reports.enumerated() {
            out += "\n[\(k + 1)] \(name(k))\n    \(r.verdict.rawValue.uppercased()) (\(r.countsSummary)); \(r.runSummary)\n"
            if let cause = r.rootCauseSummary { out += "    \(cause)\n" }
        }
        guard !kinds.isEmpty else { return out + "\nNo run has findings.\n" }
        let header = ["finding"] + reports.indices.map { "[\($0 + 1)]" }
        var rows = [header]
        for kind in kinds { rows.append([kind.rawValue] + reports.map { cell($0, kind) }) }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        out += "\n"
        for row in rows {
            out += row.enumerated().map { c, v in v.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return out
    }

    /// A Markdown table of the runs and their findings.
    public func markdown() -> String {
        var out = "## Training health: \(reports.count) runs compared\n\n| | run | verdict | root cause | steps |\n|---|---|---|---|---|\n"
        for (k, r) in reports.enumerated() {
            out += "| [\(k + 1)] | `\(name(k))` | \(r.verdict.rawValue) | \(r.rootCause.map { "`\($0.id)`" } ?? "-") | \(r.stepCount) |\n"
        }
        guard !kinds.isEmpty else { return out + "\nNo run has findings.\n" }
        out += "\n| finding | " + reports.indices.map { "[\($0 + 1)]" }.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---|", count: reports.count) + "\n"
        for kind in kinds {
            out += "| `\(kind.rawValue)` | " + reports.map { cell($0, kind) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// `{"format": "gradcheck.healthcompare/1", "verdict": worst, "runs": [report + "source"]}`.
    public func json() -> JSONValue {
        let runs: [JSONValue] = reports.enumerated().map { k, r in
            guard case var .object(o) = r.json() else { return r.json() }
            o["source"] = .string(name(k))
            return .object(o)
        }
        return .object(["format": "gradcheck.healthcompare/1", "verdict": .string(verdict.rawValue), "runs": .array(runs)])
    }

    private static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]

    /// One self-contained page (no script): the runs table, the findings table, and the
    /// loss and global gradient norm of every run overlaid, with each run's finding
    /// markers in its colour.
    public func html() -> String {
        let color = { (k: Int) in Self.palette[k % Self.palette.count] }
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>Training health: \(reports.count) runs compared</title><style>\(Self.css)\(SVGLineChart.css)</style></head><body>"
        page += "<header><h1>Training health: \(reports.count) runs compared</h1></header><main>"
        page += "<table class=\"runs\"><tr><th></th><th>run</th><th>verdict</th><th>root cause</th><th>steps</th></tr>"
        for (k, r) in reports.enumerated() {
            page += "<tr><td><span class=\"swatch\" style=\"background:\(color(k))\"></span>[\(k + 1)]</td>"
            page += "<td><code>\(HTML.escape(name(k)))</code></td><td class=\"\(r.verdict.rawValue)\">\(r.verdict.rawValue)</td>"
            page += "<td>\(HTML.escape(r.rootCauseSummary ?? "-"))</td><td>\(r.stepCount)</td></tr>"
        }
        page += "</table>"
        if !kinds.isEmpty {
            page += "<h2>Findings</h2><table class=\"runs\"><tr><th>finding</th>"
            page += reports.indices.map { "<th>[\($0 + 1)]</th>" }.joined() + "</tr>"
            for kind in kinds {
                page += "<tr><td><code>\(kind.rawValue)</code></td>"
                page += reports.map { "<td>\(HTML.escape(cell($0, kind)))</td>" }.joined() + "</tr>"
            }
            page += "</table>"
        }
        page += "<h2>Evidence</h2>"
        var loss = SVGLineChart(title: "Loss", yLabel: "loss")
        var norm = SVGLineChart(title: "Global gradient norm", yLabel: "L2 norm", logScale: true)
        var lossValues: [Double] = []
        for (k, r) in reports.enumerated() {
            let s = r.series
            let xs = s.steps.map(Double.init)
            loss.series.append(.init(name: "[\(k + 1)] \(name(k))", color: color(k),
                                     points: zip(xs, s.loss).map { ($0, Optional($1)) }))
            norm.series.append(.init(name: "[\(k + 1)] \(name(k))", color: color(k), points: zip(xs, s.gradNorm).map { ($0, $1) }))
            lossValues += s.loss.filter { $0.isFinite }
            for f in r.findings where f.isRootCause {
                guard let a = f.firstStep else { continue }
                let m = SVGLineChart.Marker(x: Double(a), label: "[\(k + 1)] \(f.kind.rawValue) @\(a)", color: color(k))
                loss.markers.append(m)
                norm.markers.append(m)
            }
        }
        if let lo = lossValues.min(), let hi = lossValues.max(), lo > 0, hi / lo >= 100 { loss.logScale = true }
        page += "<figure>" + loss.svg() + "</figure><figure>" + norm.svg() + "</figure>"
        page += "</main><footer>gradcheck report · \(reports.count) runs · gradcheck.log/1 → gradcheck.healthcompare/1</footer></body></html>\n"
        return page
    }

    private static let css = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
    header{padding:16px 24px 8px;background:#fff;border-bottom:1px solid #ddd}h1{font-size:20px;margin:0 0 6px}
    h2{font-size:16px;margin:16px 0 8px}main{padding:16px 24px;max-width:1000px}
    .runs{border-collapse:collapse;background:#fff;font-size:13px}.runs td,.runs th{border:1px solid #ddd;padding:3px 8px;text-align:left}
    .swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
    .healthy{color:#2ca02c;font-weight:600}.warning{color:#b07800;font-weight:600}.unhealthy{color:#d62728;font-weight:600}
    code{font:12px Menlo,Consolas,monospace;background:#f1f1f1;padding:0 3px;border-radius:2px}
    figure{margin:0 0 14px;background:#fff;border:1px solid #ddd;border-radius:4px;padding:6px;overflow-x:auto}
    footer{color:#999;font-size:11px;padding:8px 24px 20px}
    """
}

extension String {
    /// The string without trailing spaces.
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
