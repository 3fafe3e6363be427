import Foundation
import GradCheckHealth

extension ClippingLabResult {
    /// One self-contained HTML page (no script, no external resource): the setting, a
    /// chart of each policy's loss curve (the median over seeds of the smoothed batch
    /// loss, log-scale y; red ticks on top where the median is non-finite, i.e. most
    /// seeds diverged) and the table with its notes.
    public func html() -> String {
        let title = "Clipping lab: \(modelName)"
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(HTML.escape(title))</title><style>\(Self.css)\(SVGLineChart.css)</style></head><body>"
        page += "<h1>\(HTML.escape(title))</h1><p class=\"run\">\(HTML.escape(settingLine))</p>"
        page += "<figure>" + lossChart() + "</figure>"
        page += "<table><thead><tr>" + Self.header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows { page += "<tr>" + r.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
        page += "</tbody></table><ul class=\"notes\">" + notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        page += "<footer>gradcheck clip-lab · gradcheck.cliplab/1</footer></body></html>\n"
        return page
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                          "#7f7f7f", "#bcbd22"]

    /// The loss curves as inline SVG: the median over seeds of each policy's smoothed
    /// batch loss, log scale, drawn by the health report's chart.
    func lossChart() -> String {
        let series = policies.enumerated().map { i, p in
            SVGLineChart.Series(name: p.name, color: Self.palette[i % Self.palette.count],
                                points: p.medianLossCurve.enumerated().map { (x: Double($0.offset + 1), y: $0.element) })
        }
        return SVGLineChart(title: "Loss (median over seeds of the \(smoothingWindow)-step mean batch loss, log scale)",
                            yLabel: "loss", logScale: true, series: series, width: 760, height: 300).svg()
    }

    static let css = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0 auto;padding:16px 24px;max-width:1100px}
    h1{font-size:20px;margin:0 0 6px}.run,.notes{color:#555}.notes{font-size:12px;padding-left:18px}
    figure{margin:12px 0;border:1px solid #ddd;border-radius:4px;padding:6px;overflow-x:auto}
    table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:right;white-space:nowrap}
    th:first-child,td:first-child{text-align:left;font-family:Menlo,Consolas,monospace}th{background:#f6f6f6}
    .empty{color:#777;font-style:italic}footer{color:#999;font-size:11px;margin-top:16px}
    """
}
