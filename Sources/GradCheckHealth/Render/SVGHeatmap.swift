import Foundation

/// A rows × steps heatmap as inline SVG: one row per layer, steps binned into at most
/// `maxColumns` columns (the median of each bin), colour by log10 of the value on a
/// viridis-like scale, grey where nothing was logged and red where a value is non-finite.
struct SVGHeatmap {
    var title: String
    var rows: [(name: String, values: [Double?], highlighted: Bool)]
    var steps: [Int]
    var width = 680.0
    var maxColumns = 120

    private let left = 130.0, right = 86.0, top = 30.0, rowHeight = 18.0

    private func f(_ x: Double) -> String { SVGAxis.number(x) }

    func svg() -> String {
        guard !rows.isEmpty, !steps.isEmpty else {
            return "<p class=\"empty\">\(HTML.escape(title)): no per-layer gradient norms in the log.</p>"
        }
        let columns = Swift.min(maxColumns, steps.count)
        let per = Double(steps.count) / Double(columns)
        // Binned log10 values: nil missing, .nan non-finite.
        var cells: [[Double?]] = []
        var lo = Double.infinity, hi = -Double.infinity
        for row in rows {
            var binned: [Double?] = []
            for c in 0..<columns {
                let a = Int(Double(c) * per), b = Swift.max(a + 1, Swift.min(steps.count, Int(Double(c + 1) * per)))
                let bucket = row.values[a..<b].compactMap { $0 }
                if bucket.isEmpty { binned.append(nil); continue }
                if bucket.contains(where: { !$0.isFinite }) { binned.append(.nan); continue }
                guard let median = SeriesMath.median(bucket), median > 0 else { binned.append(-.infinity); continue }
                let m = log10(median)
                binned.append(m)
                lo = Swift.min(lo, m)
                hi = Swift.max(hi, m)
            }
            cells.append(binned)
        }
        if !lo.isFinite { lo = 0; hi = 1 }
        if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
        let plotW = width - left - right
        let cellW = plotW / Double(columns)
        let height = top + Double(rows.count) * rowHeight + 50
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" "
            + "height=\"\(f(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"title\">\(HTML.escape(title))</text>"
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * rowHeight
            let name = row.name.count > 20 ? String(row.name.prefix(19)) + "…" : row.name
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + rowHeight * 0.7))\" class=\"tick\(row.highlighted ? " flagged" : "")\" "
                + "text-anchor=\"end\">\(HTML.escape(name))<title>\(HTML.escape(row.name))</title></text>"
            for (c, v) in cells[r].enumerated() {
                let color: String
                var label: String
                switch v {
                case nil: color = "#eee"; label = "not logged"
                case let v? where v == -.infinity: color = "#000"; label = "zero"
                case let v? where !v.isFinite: color = "#d62728"; label = "non-finite"
                case let v?:
                    color = Self.viridis((v - lo) / (hi - lo))
                    label = "norm ≈ " + NumberText.short(pow(10, v))
                }
                let a = Int(Double(c) * per)
                label = "\(row.name), step \(steps[Swift.min(a, steps.count - 1)]): \(label)"
                out += "<rect x=\"\(f(left + Double(c) * cellW))\" y=\"\(f(y))\" width=\"\(f(cellW + 0.6))\" "
                    + "height=\"\(f(rowHeight - 1))\" fill=\"\(color)\"><title>\(HTML.escape(label))</title></rect>"
            }
        }
        let axisY = top + Double(rows.count) * rowHeight
        for v in SVGAxis.linearTicks(Double(steps.first!), Double(steps.last!), count: 6) {
            let t = steps.last! > steps.first! ? (v - Double(steps.first!)) / Double(steps.last! - steps.first!) : 0
            let x = left + t * plotW
            out += "<text x=\"\(f(x))\" y=\"\(f(axisY + 14))\" class=\"tick\" text-anchor=\"middle\">\(NumberText.short(v))</text>"
        }
        out += "<text x=\"\(f(left + plotW))\" y=\"\(f(axisY + 28))\" class=\"tick\" text-anchor=\"end\">step</text>"
        var kx = left
        for (color, name) in [("#000", "zero"), ("#eee", "not logged"), ("#d62728", "non-finite")] {
            out += "<rect x=\"\(f(kx))\" y=\"\(f(axisY + 34))\" width=\"10\" height=\"10\" fill=\"\(color)\" stroke=\"#ccc\"/>"
            out += "<text x=\"\(f(kx + 14))\" y=\"\(f(axisY + 43))\" class=\"legend\">\(name)</text>"
            kx += Double(name.count) * 6.2 + 30
        }
        // Colour bar.
        let barX = left + plotW + 14, barH = Swift.max(Double(rows.count) * rowHeight, 60)
        for k in 0..<20 {
            let t = Double(k) / 19
            out += "<rect x=\"\(f(barX))\" y=\"\(f(top + barH * (1 - t) - barH / 20))\" width=\"12\" height=\"\(f(barH / 20 + 0.6))\" "
                + "fill=\"\(Self.viridis(t))\"/>"
        }
        out += "<text x=\"\(f(barX + 16))\" y=\"\(f(top + 8))\" class=\"tick\">\(NumberText.short(pow(10, hi)))</text>"
        out += "<text x=\"\(f(barX + 16))\" y=\"\(f(top + barH))\" class=\"tick\">\(NumberText.short(pow(10, lo)))</text>"
        out += "</svg>"
        return out
    }

    /// A viridis-like colour for `t` in `0...1` (dark purple to yellow).
    static func viridis(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37),
        ]
        let x = (t.isFinite ? Swift.min(Swift.max(t, 0), 1) : 0) * Double(stops.count - 1)
        let i = Swift.min(Int(x), stops.count - 2)
        let w = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * w).rounded()) }
        return "rgb(\(mix(a.0, b.0)),\(mix(a.1, b.1)),\(mix(a.2, b.2)))"
    }
}
