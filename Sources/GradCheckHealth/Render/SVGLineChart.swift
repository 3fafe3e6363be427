import Foundation

/// A line chart as inline SVG, with no script and no external resource: linear or
/// log-scale y, step numbers on x, shaded step ranges, reference lines, and red ticks
/// where a series is non-finite. Series longer than the chart is wide are reduced to the
/// minimum and maximum of each pixel column, so spikes survive.
///
/// The health report and the clipping lab draw every chart with it; embed
/// ``SVGLineChart/css`` in the page's style sheet.
public struct SVGLineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        /// The legend label.
        public var name: String
        /// A CSS colour.
        public var color: String
        /// `(step, value)`; `nil` values are gaps, non-finite ones are marked.
        public var points: [(x: Double, y: Double?)]
        /// Draw dashed.
        public var dashed = false
        /// Mark each point (for sparse series such as per-epoch values).
        public var dots = false

        /// A series.
        public init(name: String, color: String, points: [(x: Double, y: Double?)], dashed: Bool = false, dots: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.dashed = dashed
            self.dots = dots
        }
    }

    /// A shaded range of steps.
    public struct Band: Sendable {
        /// The first step shaded.
        public var from: Double
        /// The last step shaded.
        public var to: Double
        /// The fill colour (CSS).
        public var color: String
        /// What the band marks, shown in the legend.
        public var label: String

        /// A band from step `from` to step `to`.
        public init(from: Double, to: Double, color: String, label: String) {
            self.from = from
            self.to = to
            self.color = color
            self.label = label
        }
    }

    /// A horizontal reference line.
    public struct Rule: Sendable {
        /// Where the line is, in the chart's y units.
        public var y: Double
        /// What the line marks, written next to it.
        public var label: String
        /// The line colour (CSS).
        public var color = "#888"

        /// A rule at `y`.
        public init(y: Double, label: String, color: String = "#888") {
            self.y = y
            self.label = label
            self.color = color
        }
    }

    /// The chart's title.
    public var title: String
    /// The label of the y axis.
    public var yLabel: String = ""
    /// Whether the y axis is logarithmic (values ≤ 0 are then left out).
    public var logScale = false
    /// A fixed y range; `nil` fits the data.
    public var yRange: ClosedRange<Double>?
    /// The lines drawn.
    public var series: [Series] = []
    /// The shaded step ranges.
    public var bands: [Band] = []
    /// The horizontal reference lines.
    public var rules: [Rule] = []
    /// The width of the SVG, in pixels.
    public var width = 680.0
    /// The height of the SVG, in pixels.
    public var height = 220.0

    /// A chart; add series, bands and rules before calling ``svg()``.
    public init(title: String, yLabel: String = "", logScale: Bool = false, yRange: ClosedRange<Double>? = nil,
                series: [Series] = [], width: Double = 680, height: Double = 220) {
        self.title = title
        self.yLabel = yLabel
        self.logScale = logScale
        self.yRange = yRange
        self.series = series
        self.width = width
        self.height = height
    }

    /// The style rules the chart's markup uses.
    public static let css = """
    svg{display:block;max-width:100%;height:auto}svg .title{font-size:13px;font-weight:600;fill:#222}
    svg .tick,svg .legend{font-size:11px;fill:#444}svg .rule{font-size:10px;fill:#666}svg .flagged{fill:#d62728;font-weight:600}
    svg .frame{fill:#fff;stroke:#ccc}svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .nonfinite{stroke:#d62728;stroke-width:2}
    .empty{color:#777;font-style:italic}
    """

    private let left = 72.0, right = 14.0, bottom = 30.0

    private func f(_ x: Double) -> String { SVGAxis.number(x) }

    /// The chart, or a note when no series has a finite value to draw.
    public func svg() -> String {
        let drawable = series.flatMap { $0.points.compactMap { p -> Double? in
            guard let y = p.y, y.isFinite, !logScale || y > 0 else { return nil }
            return y
        } }
        let finite = drawable + rules.map(\.y).filter { !logScale || $0 > 0 }
        let xs = series.flatMap { $0.points.map(\.x) }
        guard !drawable.isEmpty, let xMin = xs.min(), let xMax = xs.max(), let yLo = finite.min(), let yHi = finite.max() else {
            return "<p class=\"empty\">\(HTML.escape(title)): no finite values in the log.</p>"
        }
        // The legend wraps in rows under the title; the plot starts below it.
        let shown = series.count > 1 || series.contains { !$0.name.isEmpty } ? series : []
        var legend: [(x: Double, row: Int, series: Series, label: String)] = []
        var lx = left, row = 0
        for s in shown {
            let label = String(s.name.prefix(32))
            let w = Double(label.count) * 6.2 + 26
            if lx + w > width - right, lx > left { lx = left; row += 1 }
            legend.append((lx, row, s, label))
            lx += w
        }
        let top = 26.0 + Double(legend.isEmpty ? 0 : row + 1) * 15 + 4
        let height = self.height + top - 30
        let plotW = width - left - right, plotH = height - top - bottom
        let x0 = xMin, x1 = xMax > xMin ? xMax : xMin + 1
        var (y0, y1) = yRange.map { ($0.lowerBound, $0.upperBound) } ?? (yLo, yHi)
        if logScale {
            y0 = log10(y0)
            y1 = log10(y1)
            if y1 - y0 < 1 { y0 = (y0 + y1) / 2 - 0.5; y1 = y0 + 1 }
            y0 = y0.rounded(.down)
            y1 = y1.rounded(.up)
        } else if yRange == nil {
            // A flat series: open the range around its value.
            if y1 - y0 <= 1e-9 * Swift.max(abs(y0), abs(y1)) || y1 == y0 {
                let pad = y0 == 0 ? 1 : abs(y0) * 0.1
                y0 -= pad
                y1 += pad
            }
            let pad = (y1 - y0) * 0.05
            y0 = yLo >= 0 && y0 - pad < 0 ? 0 : y0 - pad
            y1 += pad
        }
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double {
            let v = logScale ? log10(y) : y
            let t = (v - y0) / (y1 - y0)
            return top + plotH * (1 - Swift.min(Swift.max(t, -0.02), 1.02))
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        out += "<text x=\"\(f(left))\" y=\"16\" class=\"title\">\(HTML.escape(title))</text>"
        for item in legend {
            let y = 30 + Double(item.row) * 15
            out += "<rect x=\"\(f(item.x))\" y=\"\(f(y - 5))\" width=\"14\" height=\"\(item.series.dashed ? 2 : 4)\" "
                + "fill=\"\(item.series.color)\"/>"
            out += "<text x=\"\(f(item.x + 18))\" y=\"\(f(y))\" class=\"legend\">\(HTML.escape(item.label))</text>"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" class=\"frame\"/>"
        for b in bands {
            let a = px(Swift.max(b.from, x0)), z = px(Swift.min(b.to, x1))
            out += "<rect x=\"\(f(a))\" y=\"\(f(top))\" width=\"\(f(Swift.max(z - a, 2)))\" height=\"\(f(plotH))\" "
                + "fill=\"\(b.color)\" opacity=\"0.18\"><title>\(HTML.escape(b.label))</title></rect>"
        }
        // Y grid and labels.
        for v in yTicks(y0, y1) {
            let y = top + plotH * (1 - (v - y0) / (y1 - y0))
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
            let label = logScale ? (v == 0 ? "1" : "1e\(Int(v))") : NumberText.short(v)
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" class=\"tick\" text-anchor=\"end\">\(label)</text>"
        }
        // Steps are whole numbers: no tick at step 1.5.
        for v in SVGAxis.linearTicks(x0, x1, count: 6) where v == v.rounded() {
            let x = px(v)
            out += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top + plotH))\" y2=\"\(f(top + plotH + 4))\" class=\"axis\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" class=\"tick\" text-anchor=\"middle\">\(NumberText.short(v))</text>"
        }
        out += "<text x=\"\(f(left + plotW))\" y=\"\(f(height - 2))\" class=\"tick\" text-anchor=\"end\">step</text>"
        if !yLabel.isEmpty {
            out += "<text x=\"11\" y=\"\(f(top + plotH / 2))\" class=\"tick\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 11 \(f(top + plotH / 2)))\">\(HTML.escape(yLabel))</text>"
        }
        for r in rules where !logScale || r.y > 0 {
            let y = py(r.y)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(r.color)\" "
                + "stroke-dasharray=\"5 4\" stroke-width=\"1\"/>"
            out += "<text x=\"\(f(left + plotW - 4))\" y=\"\(f(y - 3))\" class=\"rule\" text-anchor=\"end\">\(HTML.escape(r.label))</text>"
        }
        let columns = Int(plotW)
        for s in series {
            let few = s.points.filter { $0.y.map { $0.isFinite && (!logScale || $0 > 0) } ?? false }.count < 3
            var path = ""
            var penDown = false
            var marks: [Double] = []
            for p in reduce(s.points, columns: columns) {
                guard let y = p.y else { penDown = false; continue }
                guard y.isFinite, !logScale || y > 0 else {
                    if !y.isFinite { marks.append(px(p.x)) }
                    penDown = false
                    continue
                }
                path += (penDown ? "L" : "M") + f(px(p.x)) + " " + f(py(y))
                penDown = true
                if s.dots || few { out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(y)))\" r=\"2.5\" fill=\"\(s.color)\"/>" }
            }
            if !path.isEmpty {
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.4\""
                    + (s.dashed ? " stroke-dasharray=\"4 3\"" : "") + "><title>\(HTML.escape(s.name))</title></path>"
            }
            for x in marks.prefix(400) {
                out += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + 7))\" class=\"nonfinite\"/>"
            }
        }
        // A log scale cannot draw zeros: name the series it left out rather than drop them
        // silently (an update ratio of exactly 0 is the news, not noise).
        if logScale {
            let zeros = series.filter { s in
                !s.points.isEmpty && s.points.allSatisfy { $0.y.map { $0 == 0 } ?? true } && s.points.contains { $0.y == 0 }
            }.map(\.name)
            if !zeros.isEmpty {
                let list = zeros.prefix(6).joined(separator: ", ") + (zeros.count > 6 ? ", …" : "")
                out += "<text x=\"\(f(left))\" y=\"\(f(height - 2))\" class=\"tick\">always 0 (not drawn on a log scale): "
                    + "\(HTML.escape(list))</text>"
            }
        }
        out += "</svg>"
        return out
    }

    private func yTicks(_ y0: Double, _ y1: Double) -> [Double] {
        if logScale {
            let span = Int(y1 - y0)
            let stride = Swift.max(1, span / 6 + (span % 6 == 0 ? 0 : 1))
            return Swift.stride(from: y0, through: y1, by: Double(stride)).map { $0 }
        }
        return SVGAxis.linearTicks(y0, y1, count: 5)
    }

    /// At most two points (minimum and maximum) per pixel column, keeping gaps and
    /// non-finite values.
    private func reduce(_ points: [(x: Double, y: Double?)], columns: Int) -> [(x: Double, y: Double?)] {
        guard points.count > 2 * columns, columns > 0 else { return points }
        let per = Double(points.count) / Double(columns)
        var out: [(x: Double, y: Double?)] = []
        for c in 0..<columns {
            let a = Int(Double(c) * per), b = Swift.min(points.count, Int(Double(c + 1) * per))
            guard a < b else { continue }
            let bucket = points[a..<b]
            if let bad = bucket.first(where: { $0.y.map { !$0.isFinite } ?? false }) { out.append(bad); continue }
            let present = bucket.filter { $0.y != nil }
            guard let lo = present.min(by: { $0.y! < $1.y! }), let hi = present.max(by: { $0.y! < $1.y! }) else {
                out.append((bucket.first!.x, nil))
                continue
            }
            if lo.x <= hi.x { out += [lo, hi] } else { out += [hi, lo] }
        }
        return out
    }
}

/// Axis helpers shared by the charts.
enum SVGAxis {
    /// About `count` round tick values covering `[a, b]`.
    static func linearTicks(_ a: Double, _ b: Double, count: Int) -> [Double] {
        guard b > a, a.isFinite, b.isFinite else { return [a] }
        let raw = (b - a) / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var v = (a / step).rounded(.up) * step
        while v <= b + step * 1e-9, ticks.count < 50 {
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return ticks
    }
}

extension SVGAxis {
    /// A coordinate for SVG attributes: at most one decimal; non-finite values (which a
    /// degenerate scale could produce) become 0, and magnitudes are capped, so the
    /// markup is always valid.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (Swift.min(Swift.max(x, -1e6), 1e6) * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
