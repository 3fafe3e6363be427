import Foundation

/// A rows × steps heatmap as inline SVG: one row per layer, steps binned into at most
/// `maxColumns` columns (the median of each bin), colour by log10 of the value on a
/// viridis-like scale, grey where nothing was logged and red where a value is non-finite.
/// It bins and colours the values and leaves the drawing to ``SVGCellGrid``.
struct SVGHeatmap {
    var title: String
    var rows: [(name: String, values: [Double?], highlighted: Bool)]
    var steps: [Int]
    var width = 680.0
    var maxColumns = 120

    func svg() -> String {
        guard !rows.isEmpty, !steps.isEmpty else {
            return "<p class=\"empty\">\(HTML.escape(title)): no per-layer gradient norms in the log.</p>"
        }
        let columns = Swift.min(maxColumns, steps.count)
        let per = Double(steps.count) / Double(columns)
        // Binned log10 values: nil missing, .nan non-finite.
        var binnedRows: [[Double?]] = []
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
            binnedRows.append(binned)
        }
        if !lo.isFinite { lo = 0; hi = 1 }
        if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
        let cells = rows.indices.map { r in
            binnedRows[r].enumerated().map { c, v -> SVGCellGrid.Cell in
                let color: String
                var label: String
                switch v {
                case nil: color = "#eee"; label = "not logged"
                case let v? where v == -.infinity: color = "#000"; label = "zero"
                case let v? where !v.isFinite: color = "#d62728"; label = "non-finite"
                case let v?:
                    color = SVGCellGrid.viridis((v - lo) / (hi - lo))
                    label = "norm ≈ " + NumberText.short(pow(10, v))
                }
                let a = Int(Double(c) * per)
                label = "\(rows[r].name), step \(steps[Swift.min(a, steps.count - 1)]): \(label)"
                return SVGCellGrid.Cell(color: color, tooltip: label)
            }
        }
        let ticks = SVGAxis.linearTicks(Double(steps.first!), Double(steps.last!), count: 6).map { v in
            let t = steps.last! > steps.first! ? (v - Double(steps.first!)) / Double(steps.last! - steps.first!) : 0
            return (position: t, label: NumberText.short(v))
        }
        let grid = SVGCellGrid(
            title: title, rowNames: rows.map(\.name), highlightedRows: Set(rows.indices.filter { rows[$0].highlighted }),
            cells: cells, xTicks: ticks, xLabel: "step",
            legend: [("#000", "zero"), ("#eee", "not logged"), ("#d62728", "non-finite")],
            colorBar: (NumberText.short(pow(10, lo)), NumberText.short(pow(10, hi))), width: width)
        return grid.svg()
    }
}

/// A grid of coloured cells as inline SVG: named rows, columns placed along an x axis
/// with ticks, a legend of special colours and an optional viridis colour bar. The
/// health report's layer × step heatmap and the sweep report's heatmaps over a grid of
/// hyperparameters both draw with it.
public struct SVGCellGrid: Sendable {
    /// One cell: its fill, its tooltip and an optional short text drawn in it.
    public struct Cell: Sendable {
        /// The fill colour (any SVG colour).
        public var color: String
        /// The tooltip (`<title>`).
        public var tooltip: String
        /// Text drawn centred in the cell, if any.
        public var text: String?

        /// A cell.
        public init(color: String, tooltip: String, text: String? = nil) {
            self.color = color
            self.tooltip = tooltip
            self.text = text
        }
    }

    /// The title above the grid.
    public var title: String
    /// The row names, top to bottom.
    public var rowNames: [String]
    /// Rows whose name is drawn as flagged.
    public var highlightedRows: Set<Int>
    /// The cells, `cells[row][column]`; every row has the same number of columns.
    public var cells: [[Cell]]
    /// Ticks along the x axis: position in `0...1` of the plot width and text.
    public var xTicks: [(position: Double, label: String)]
    /// The x axis label.
    public var xLabel: String
    /// The legend: colour and name of each special colour.
    public var legend: [(color: String, name: String)]
    /// The texts at the bottom and top of a viridis colour bar; `nil` for none.
    public var colorBar: (low: String, high: String)?
    /// The width in pixels.
    public var width: Double
    /// The height of a row in pixels.
    public var rowHeight: Double

    /// A grid; see the properties.
    public init(title: String, rowNames: [String], highlightedRows: Set<Int> = [], cells: [[Cell]],
                xTicks: [(position: Double, label: String)], xLabel: String,
                legend: [(color: String, name: String)] = [], colorBar: (low: String, high: String)? = nil,
                width: Double = 680, rowHeight: Double = 18) {
        self.title = title
        self.rowNames = rowNames
        self.highlightedRows = highlightedRows
        self.cells = cells
        self.xTicks = xTicks
        self.xLabel = xLabel
        self.legend = legend
        self.colorBar = colorBar
        self.width = width
        self.rowHeight = rowHeight
    }

    /// Ticks at the centre of each of `labels.count` columns, for categorical columns.
    public static func columnTicks(_ labels: [String]) -> [(position: Double, label: String)] {
        labels.enumerated().map { (position: (Double($0.offset) + 0.5) / Double(Swift.max(labels.count, 1)), label: $0.element) }
    }

    private let left = 130.0, right = 86.0, top = 30.0

    private func f(_ x: Double) -> String { SVGAxis.number(x) }

    /// The SVG element.
    public func svg() -> String {
        let columns = cells.map(\.count).max() ?? 0
        let plotW = width - left - right
        let cellW = plotW / Double(Swift.max(columns, 1))
        let height = top + Double(rowNames.count) * rowHeight + 50
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" "
            + "height=\"\(f(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"title\">\(HTML.escape(title))</text>"
        for (r, rowName) in rowNames.enumerated() {
            let y = top + Double(r) * rowHeight
            let name = rowName.count > 20 ? String(rowName.prefix(19)) + "…" : rowName
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + rowHeight * 0.7))\" class=\"tick\(highlightedRows.contains(r) ? " flagged" : "")\" "
                + "text-anchor=\"end\">\(HTML.escape(name))<title>\(HTML.escape(rowName))</title></text>"
            for (c, cell) in (r < cells.count ? cells[r] : []).enumerated() {
                out += "<rect x=\"\(f(left + Double(c) * cellW))\" y=\"\(f(y))\" width=\"\(f(cellW + 0.6))\" "
                    + "height=\"\(f(rowHeight - 1))\" fill=\"\(cell.color)\"><title>\(HTML.escape(cell.tooltip))</title></rect>"
                if let text = cell.text {
                    out += "<text x=\"\(f(left + (Double(c) + 0.5) * cellW))\" y=\"\(f(y + rowHeight * 0.5 + 4))\" "
                        + "class=\"cell\" text-anchor=\"middle\">\(HTML.escape(text))</text>"
                }
            }
        }
        let axisY = top + Double(rowNames.count) * rowHeight
        for tick in xTicks {
            let x = left + tick.position * plotW
            out += "<text x=\"\(f(x))\" y=\"\(f(axisY + 14))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(tick.label))</text>"
        }
        out += "<text x=\"\(f(left + plotW))\" y=\"\(f(axisY + 28))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(xLabel))</text>"
        var kx = left
        for (color, name) in legend {
            out += "<rect x=\"\(f(kx))\" y=\"\(f(axisY + 34))\" width=\"10\" height=\"10\" fill=\"\(color)\" stroke=\"#ccc\"/>"
            out += "<text x=\"\(f(kx + 14))\" y=\"\(f(axisY + 43))\" class=\"legend\">\(HTML.escape(name))</text>"
            kx += Double(name.count) * 6.2 + 30
        }
        if let colorBar {
            let barX = left + plotW + 14, barH = Swift.max(Double(rowNames.count) * rowHeight, 60)
            for k in 0..<20 {
                let t = Double(k) / 19
                out += "<rect x=\"\(f(barX))\" y=\"\(f(top + barH * (1 - t) - barH / 20))\" width=\"12\" height=\"\(f(barH / 20 + 0.6))\" "
                    + "fill=\"\(Self.viridis(t))\"/>"
            }
            out += "<text x=\"\(f(barX + 16))\" y=\"\(f(top + 8))\" class=\"tick\">\(HTML.escape(colorBar.high))</text>"
            out += "<text x=\"\(f(barX + 16))\" y=\"\(f(top + barH))\" class=\"tick\">\(HTML.escape(colorBar.low))</text>"
        }
        out += "</svg>"
        return out
    }

    /// A viridis-like colour for `t` in `0...1` (dark purple to yellow).
    public static func viridis(_ t: Double) -> String {
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
