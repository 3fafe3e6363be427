import Foundation
import GradCheckHealth

extension SweepResult {
    /// One self-contained HTML page (no script, no external resource): the setting, a
    /// heatmap of the metric and one of the health verdict over the first two axes
    /// (rows: the first axis, columns: the second; with one axis, one row), the ranked
    /// table and its notes. With more than two axes a cell shows the best configuration
    /// among those sharing its two values.
    public func html() -> String {
        let title = "Sweep: \(header.spec.name)"
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(HTML.escape(title))</title><style>\(ClippingLabResult.css)\(SVGLineChart.css)"
        page += ".cell{font:10px Menlo,Consolas,monospace;fill:#fff;paint-order:stroke;stroke:#0006;stroke-width:2px}</style></head><body>"
        page += "<h1>\(HTML.escape(title))</h1><p class=\"run\">\(HTML.escape(settingLine))</p>"
        if let b = best { page += "<p class=\"run\">Best: \(HTML.escape(bestText(b)))</p>" }
        if !header.plan.axes.isEmpty {
            page += "<figure>" + metricHeatmap() + "</figure>"
            page += "<figure>" + healthHeatmap() + "</figure>"
        }
        page += "<table><thead><tr>" + columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows { page += "<tr>" + r.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
        page += "</tbody></table><ul class=\"notes\">" + notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        page += "<footer>gradcheck sweep · gradcheck.sweep/1</footer></body></html>\n"
        return page
    }

    /// The configurations of each heatmap cell: `cells[row][column]`, the best-ranked
    /// configuration with the first axis at value `row` and the second at `column`.
    func heatmapCells() -> (rows: [String], columns: [String], cells: [[SweepConfigurationSummary?]]) {
        let axes = header.plan.axes
        let rowAxis = axes.count >= 2 ? 0 : nil
        let columnAxis = axes.count >= 2 ? 1 : 0
        let rowValues = rowAxis.map { axes[$0].values } ?? []
        let columnValues = axes[columnAxis].values
        var cells = [[SweepConfigurationSummary?]](repeating: [SweepConfigurationSummary?](repeating: nil, count: columnValues.count),
                                                    count: Swift.max(rowValues.count, 1))
        for c in configurations where c.rank != nil {
            let r = rowAxis.map { axis in rowValues.firstIndex(of: c.values[axis])! } ?? 0
            let k = columnValues.firstIndex(of: c.values[columnAxis])!
            if let existing = cells[r][k], existing.rank! < c.rank! { continue }
            cells[r][k] = c
        }
        let rowNames = rowAxis.map { a in rowValues.map { "\(axes[a].key)=\($0.text)" } } ?? [header.metric.name]
        return (rowNames, columnValues.map(\.text), cells)
    }

    /// The metric over the first two axes (viridis, linear for accuracy, log10 for a
    /// loss; red where every trial diverged, grey where nothing ran).
    func metricHeatmap() -> String {
        let (rowNames, columns, cells) = heatmapCells()
        let metric = header.metric
        let scale: (Double) -> Double = metric.higherIsBetter ? { $0 } : { log10(Swift.max($0, 1e-300)) }
        let finite = cells.flatMap { $0 }.compactMap { $0 }.filter { $0.diverged < $0.trials.count }.map(\.metricMean).filter(\.isFinite)
        var lo = finite.map(scale).min() ?? 0, hi = finite.map(scale).max() ?? 1
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let grid = cells.map { row in
            row.map { c -> SVGCellGrid.Cell in
                guard let c else { return SVGCellGrid.Cell(color: "#eee", tooltip: "not run") }
                let tip = tooltip(c)
                if c.diverged == c.trials.count || !c.metricMean.isFinite {
                    return SVGCellGrid.Cell(color: "#d62728", tooltip: tip, text: "diverged")
                }
                var t = (scale(c.metricMean) - lo) / (hi - lo)
                if !metric.higherIsBetter { t = 1 - t }
                return SVGCellGrid.Cell(color: SVGCellGrid.viridis(t), tooltip: tip,
                                        text: Self.metricText(c.metricMean) + (c.diverged > 0 ? " (\(c.diverged)✗)" : ""))
            }
        }
        let low = metric.higherIsBetter ? lo : pow(10, hi), high = metric.higherIsBetter ? hi : pow(10, lo)
        return SVGCellGrid(
            title: "\(metric.name) (mean over seeds × folds; yellow is better)", rowNames: rowNames, cells: grid,
            xTicks: SVGCellGrid.columnTicks(columns), xLabel: header.plan.axes[header.plan.axes.count >= 2 ? 1 : 0].key,
            legend: [("#d62728", "every trial diverged"), ("#eee", "not run")],
            colorBar: (Self.metricText(low), Self.metricText(high)), width: 760, rowHeight: 26).svg()
    }

    /// The worst health verdict over the first two axes, with the most frequent finding.
    func healthHeatmap() -> String {
        let (rowNames, columns, cells) = heatmapCells()
        let grid = cells.map { row in
            row.map { c -> SVGCellGrid.Cell in
                guard let c else { return SVGCellGrid.Cell(color: "#eee", tooltip: "not run") }
                let color: String
                switch c.verdict {
                case .healthy: color = "#2ca02c"
                case .warning: color = "#f0a202"
                case .unhealthy: color = c.diverged > 0 ? "#8b0000" : "#d62728"
                }
                return SVGCellGrid.Cell(color: color, tooltip: tooltip(c), text: c.findingCounts.first?.kind ?? c.verdict.rawValue)
            }
        }
        return SVGCellGrid(
            title: "Gradient health (worst verdict over the trials; the most frequent finding)", rowNames: rowNames, cells: grid,
            xTicks: SVGCellGrid.columnTicks(columns), xLabel: header.plan.axes[header.plan.axes.count >= 2 ? 1 : 0].key,
            legend: [("#2ca02c", "healthy"), ("#f0a202", "warning"), ("#d62728", "unhealthy"), ("#8b0000", "unhealthy, diverged"),
                     ("#eee", "not run")],
            width: 760, rowHeight: 26).svg()
    }

    func tooltip(_ c: SweepConfigurationSummary) -> String {
        let values = zip(header.plan.axes, c.values).map { "\($0.key)=\($1.text)" }.joined(separator: ", ")
        let findings = c.findingCounts.map { "\($0.kind) ×\($0.count)" }.joined(separator: ", ")
        return "\(values): \(header.metric.name) \(Self.metricText(c.metricMean)) ± \(Self.metricText(c.metricStd)), "
            + "rank \(c.rank.map(String.init) ?? "—"), diverged \(c.diverged)/\(c.trials.count), \(c.verdict.rawValue)"
            + (findings.isEmpty ? "" : " (\(findings))")
    }
}
