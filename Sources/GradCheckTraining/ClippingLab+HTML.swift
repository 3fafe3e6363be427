import Foundation

extension ClippingLabResult {
    /// One self-contained HTML page (no script, no external resource): the setting, a
    /// chart of each policy's loss curve (the median over seeds of the smoothed batch
    /// loss, log-scale y; red ticks on top where the median is non-finite, i.e. most
    /// seeds diverged) and the table with its notes.
    public func html() -> String {
        let title = "Clipping lab: \(modelName)"
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(Self.escape(title))</title><style>\(Self.css)</style></head><body>"
        page += "<h1>\(Self.escape(title))</h1><p class=\"run\">\(Self.escape(settingLine))</p>"
        page += "<figure>" + lossChart() + "</figure>"
        page += "<table><thead><tr>" + Self.header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows { page += "<tr>" + r.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }
        page += "</tbody></table><ul class=\"notes\">" + notes.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>"
        page += "<footer>gradcheck clip-lab · gradcheck.cliplab/1</footer></body></html>\n"
        return page
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                          "#7f7f7f", "#bcbd22"]

    /// The loss curves as inline SVG.
    func lossChart() -> String {
        let width = 760.0, height = 300.0, left = 64.0, right = 14.0, bottom = 30.0
        let legendRows = (policies.count + 4) / 5
        let top = 26.0 + Double(legendRows) * 15 + 4
        let plotW = width - left - right, plotH = height - top - bottom
        let values = policies.flatMap { $0.medianLossCurve.filter { $0.isFinite && $0 > 0 } }
        let steps = policies.map(\.medianLossCurve.count).max() ?? 0
        guard let lo = values.min(), let hi = values.max(), steps > 0 else {
            return "<p class=\"empty\">No finite loss to plot: every policy diverged on most seeds.</p>"
        }
        var y0 = log10(lo).rounded(.down), y1 = log10(hi).rounded(.up)
        if y1 <= y0 { y1 = y0 + 1 }
        let x1 = Double(Swift.max(steps, 2))
        func f(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }
        func px(_ step: Double) -> Double { left + (step - 1) / (x1 - 1) * plotW }
        func py(_ v: Double) -> Double { top + plotH * (1 - (log10(v) - y0) / (y1 - y0)) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" "
            + "height=\"\(f(height))\" role=\"img\" aria-label=\"loss curves\">"
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"title\">Loss (median over seeds of the \(smoothingWindow)-step mean batch loss, log scale)</text>"
        for (i, p) in policies.enumerated() {
            let x = left + Double(i % 5) * 138, y = 30 + Double(i / 5) * 15
            out += "<rect x=\"\(f(x))\" y=\"\(f(y - 5))\" width=\"14\" height=\"4\" fill=\"\(Self.palette[i % Self.palette.count])\"/>"
            out += "<text x=\"\(f(x + 18))\" y=\"\(f(y))\" class=\"legend\">\(Self.escape(String(p.name.prefix(20))))</text>"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" class=\"frame\"/>"
        let decades = Int(y1 - y0)
        let every = Swift.max(1, (decades + 5) / 6)
        for d in Swift.stride(from: 0, through: decades, by: every) {
            let v = y0 + Double(d), y = top + plotH * (1 - Double(d) / (y1 - y0))
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" class=\"tick\" text-anchor=\"end\">1e\(Int(v))</text>"
        }
        for k in 0...5 {
            let s = 1 + (x1 - 1) * Double(k) / 5
            out += "<text x=\"\(f(px(s)))\" y=\"\(f(top + plotH + 16))\" class=\"tick\" text-anchor=\"middle\">\(Int(s.rounded()))</text>"
        }
        out += "<text x=\"\(f(left + plotW))\" y=\"\(f(height - 2))\" class=\"tick\" text-anchor=\"end\">step</text>"
        for (i, p) in policies.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let curve = p.medianLossCurve
            // At most about two points per pixel column: the mean of each bucket.
            let per = Swift.max(1, curve.count / Int(plotW / 2))
            var path = "", penDown = false
            var marks: [Double] = []
            for start in Swift.stride(from: 0, to: curve.count, by: per) {
                let bucket = curve[start..<Swift.min(curve.count, start + per)]
                let x = px(Double(start + 1))
                guard bucket.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                    if bucket.contains(where: { !$0.isFinite }) { marks.append(x) }
                    penDown = false
                    continue
                }
                let v = bucket.reduce(0, +) / Double(bucket.count)
                path += (penDown ? "L" : "M") + f(x) + " " + f(py(v))
                penDown = true
            }
            if !path.isEmpty {
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.4\"><title>\(Self.escape(p.name))</title></path>"
            }
            if let first = marks.first {
                out += "<line x1=\"\(f(first))\" x2=\"\(f(left + plotW))\" y1=\"\(f(top + 2 + Double(i) * 3))\" "
                    + "y2=\"\(f(top + 2 + Double(i) * 3))\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"2 2\">"
                    + "<title>\(Self.escape(p.name)): diverged (median non-finite)</title></line>"
            }
        }
        out += "</svg>"
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let css = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0 auto;padding:16px 24px;max-width:1100px}
    h1{font-size:20px;margin:0 0 6px}.run,.notes{color:#555}.notes{font-size:12px;padding-left:18px}
    figure{margin:12px 0;border:1px solid #ddd;border-radius:4px;padding:6px;overflow-x:auto}
    svg{display:block;max-width:100%;height:auto}svg .title{font-size:13px;font-weight:600;fill:#222}
    svg .tick,svg .legend{font-size:11px;fill:#444}svg .frame{fill:#fff;stroke:#ccc}svg .grid{stroke:#eee}
    table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:right;white-space:nowrap}
    th:first-child,td:first-child{text-align:left;font-family:Menlo,Consolas,monospace}th{background:#f6f6f6}
    .empty{color:#777;font-style:italic}footer{color:#999;font-size:11px;margin-top:16px}
    """
}
