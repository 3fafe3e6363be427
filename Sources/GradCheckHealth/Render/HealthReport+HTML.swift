extension HealthReport {
    /// The report as one self-contained HTML page (no script, no external resource):
    /// the verdict, the findings with their evidence and suggestions beside inline SVG
    /// plots of the loss, the global gradient norm (log scale), a layer × step heatmap of
    /// gradient norms, the update/weight ratios and the dead and saturated fractions, with
    /// each finding's steps shaded on the plots it concerns.
    public func html() -> String {
        let title = "Training health: " + (model ?? source ?? "run")
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>\(HTML.escape(title))</title><style>\(Self.css)\(SVGLineChart.css)</style></head><body>"
        page += "<header><h1>\(HTML.escape(title))</h1>"
        page += "<p><span class=\"verdict \(verdict.rawValue)\">\(verdict.rawValue.uppercased())</span> "
        page += "<span class=\"counts\">\(HTML.escape(countsSummary))</span></p>"
        if let cause = rootCauseSummary {
            page += "<p class=\"root\">\(HTML.escape(cause.prefix(1).uppercased() + cause.dropFirst()))</p>"
        }
        page += "<p class=\"run\">\(HTML.escape(runSummary))"
        if let source { page += " · <code>\(HTML.escape(source))</code>" }
        page += "</p>"
        for w in logWarnings { page += "<p class=\"note\">Note: \(HTML.escape(w.description))</p>" }
        page += "</header><main><section class=\"findings\"><h2>Findings</h2>"
        if findings.isEmpty {
            page += "<p class=\"none\">" + (stepCount == 0 ? "The log has no steps to judge." : "No problems found.") + "</p>"
        }
        // Root causes, each with its consequences nested in its card.
        for f in findings where f.isRootCause { page += card(f) }
        if !alerts.isEmpty {
            page += "<h2>Live alerts</h2><ul class=\"alerts\">"
            for a in alerts.prefix(50) { page += "<li>\(HTML.escape(a.description))</li>" }
            page += "</ul>"
        }
        page += "</section><section class=\"plots\"><h2>Evidence</h2>"
        for plot in Plot.allCases {
            page += "<figure id=\"\(plot.rawValue)\">" + svg(plot) + "</figure>"
        }
        page += "</section></main><footer>gradcheck report · gradcheck.log/1 → gradcheck.health/1</footer></body></html>\n"
        return page
    }

    /// The plots of the page.
    private enum Plot: String, CaseIterable {
        case loss = "plot-loss"
        case gradNorm = "plot-grad-norm"
        case heatmap = "plot-heatmap"
        case updates = "plot-updates"
        case activations = "plot-activations"

        var title: String {
            switch self {
            case .loss: return "Loss"
            case .gradNorm: return "Global gradient norm"
            case .heatmap: return "Gradient norm by layer"
            case .updates: return "Update / weight ratio"
            case .activations:
                return "Dead and saturated fractions (or zero-gradient fraction of biases), attention entropy"
            }
        }

        /// The plots a finding of `kind` is shown on.
        static func showing(_ kind: FindingKind) -> [Plot] {
            switch kind {
            case .lossDivergence, .lossPlateau, .oscillatingLoss: return [.loss]
            case .nonfinite: return [.loss, .gradNorm]
            case .explodingGradients: return [.gradNorm, .heatmap]
            case .vanishingGradients: return [.heatmap]
            case .smallUpdates, .largeUpdates: return [.updates]
            case .deadUnits, .saturation, .attentionCollapse: return [.activations, .heatmap]
            case .learningRateJump: return [.loss, .gradNorm]
            }
        }
    }

    private static func color(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "#d62728"
        case .warning: return "#f0a202"
        case .info: return "#1f77b4"
        }
    }

    private static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                  "#bcbd22", "#7f7f7f", "#393b79"]

    private func card(_ f: HealthFinding) -> String {
        var html = "<article class=\"card \(f.severity.rawValue)\" id=\"finding-\(HTML.escape(f.id))\">"
        html += "<h3><span class=\"sev\">\(f.severity.rawValue)</span> "
        if f.isRootCause && f.id == rootCause?.id { html += "<span class=\"rootcause\">root cause</span> " }
        html += "\(HTML.escape(f.kind.title)) <code>\(f.kind.rawValue)</code></h3>"
        var meta: [String] = []
        if let layer = f.layer { meta.append("layer <code>\(HTML.escape(layer))</code>") }
        if let parameter = f.parameter { meta.append("parameter <code>\(HTML.escape(parameter))</code>") }
        if !f.stepRange.isEmpty { meta.append(f.stepRange) }
        if !meta.isEmpty { html += "<p class=\"meta\">\(meta.joined(separator: " · "))</p>" }
        html += "<p>\(HTML.escape(f.message))</p>"
        if !f.evidence.isEmpty {
            html += "<table class=\"evidence\">"
            for e in f.evidence {
                html += "<tr><th>\(HTML.escape(e.name))</th><td>\(NumberText.short(e.value))</td></tr>"
            }
            html += "</table>"
        }
        html += "<p class=\"suggestion\"><b>Suggestion:</b> \(HTML.escape(f.suggestion))</p>"
        let links = Plot.showing(f.kind).map { "<a href=\"#\($0.rawValue)\">\($0.title)</a>" }
        html += "<p class=\"see\">See: \(links.joined(separator: ", "))</p>"
        let consequences = findings.filter { $0.consequenceOf == f.id }
        if !consequences.isEmpty {
            html += "<div class=\"consequences\"><p class=\"follows\">Follows from this:</p>"
            for c in consequences { html += card(c) }
            html += "</div>"
        }
        html += "</article>"
        return html
    }

    private func bands(_ plot: Plot) -> [SVGLineChart.Band] {
        findings.filter { Plot.showing($0.kind).contains(plot) }.compactMap { f in
            guard let a = f.firstStep else { return nil }
            return SVGLineChart.Band(from: Double(a), to: Double(f.lastStep ?? a), color: Self.color(f.severity),
                                     label: "\(f.kind.rawValue): \(f.stepRange)")
        }
    }

    /// A marker at the first step of each finding shown on `plot`.
    private func markers(_ plot: Plot) -> [SVGLineChart.Marker] {
        findings.filter { Plot.showing($0.kind).contains(plot) }.compactMap { f in
            guard let a = f.firstStep else { return nil }
            return SVGLineChart.Marker(x: Double(a), label: "\(f.kind.rawValue) @\(a)", color: Self.color(f.severity))
        }
    }

    private func svg(_ plot: Plot) -> String {
        let s = series
        let xs = s.steps.map(Double.init)
        func points(_ values: [Double?]) -> [(x: Double, y: Double?)] { zip(xs, values).map { ($0, $1) } }
        switch plot {
        case .loss:
            var chart = SVGLineChart(title: plot.title, yLabel: "loss")
            chart.series.append(.init(name: "training loss (step)", color: Self.palette[0], points: points(s.loss.map { $0 })))
            let epochs = s.epochs.compactMap { e -> (x: Double, y: Double?)? in
                guard let step = e.step, let v = e.valLoss else { return nil }
                return (Double(step), v)
            }
            if !epochs.isEmpty {
                chart.series.append(.init(name: "validation loss (epoch)", color: Self.palette[1], points: epochs, dots: true))
            }
            let positive = s.loss.filter { $0.isFinite }
            if let lo = positive.min(), let hi = positive.max(), lo > 0, hi / lo >= 100 { chart.logScale = true }
            chart.bands = bands(plot)
            chart.markers = markers(plot)
            return chart.svg()
        case .gradNorm:
            var chart = SVGLineChart(title: plot.title + (s.gradNormIsDerived ? " (from the per-parameter norms)" : ""),
                                     yLabel: "L2 norm", logScale: true)
            chart.series.append(.init(name: "before clipping", color: Self.palette[0], points: points(s.gradNorm)))
            if s.clippedGradNorm.contains(where: { $0 != nil }) {
                chart.series.append(.init(name: "after clipping", color: Self.palette[2], points: points(s.clippedGradNorm),
                                          dashed: true))
            }
            chart.bands = bands(plot)
            chart.markers = markers(plot)
            return chart.svg()
        case .heatmap:
            let flagged = Set(findings.filter { Plot.showing($0.kind).contains(.heatmap) }.compactMap(\.layer))
            return SVGHeatmap(title: plot.title + " (log scale)",
                              rows: s.layerGradients.map { ($0.name, $0.norm, flagged.contains($0.name)) },
                              steps: s.steps).svg()
        case .updates:
            var chart = SVGLineChart(title: plot.title, yLabel: "‖update‖ / ‖weight‖", logScale: true)
            for (k, p) in s.parameters.filter({ !$0.isVector }).enumerated() where p.updateRatio.contains(where: { $0 != nil }) {
                // Measured every few steps: join the measurements.
                chart.series.append(.init(name: p.info.name, color: Self.palette[k % Self.palette.count],
                                          points: points(p.updateRatio).filter { $0.y != nil }))
            }
            guard !chart.series.isEmpty else {
                return "<p class=\"empty\">\(plot.title): the log has no weight and update norms.</p>"
            }
            chart.rules = [.init(y: 1e-3, label: "1e-3 (healthy)", color: "#2ca02c"),
                           .init(y: thresholds.smallUpdateRatio, label: "small", color: "#f0a202"),
                           .init(y: thresholds.largeUpdateRatio, label: "large", color: "#d62728")]
            chart.bands = bands(plot)
            chart.markers = markers(plot)
            return chart.svg()
        case .activations:
            var chart = SVGLineChart(title: plot.title, yLabel: "fraction", yRange: 0...1)
            var k = 0
            for a in s.activations {
                if a.deadFraction.contains(where: { $0 != nil }) {
                    chart.series.append(.init(name: "\(a.name) dead", color: Self.palette[k % Self.palette.count],
                                              points: points(a.deadFraction).filter { $0.y != nil }))
                    k += 1
                }
                if a.saturatedFraction.contains(where: { $0 != nil }) {
                    chart.series.append(.init(name: "\(a.name) saturated", color: Self.palette[k % Self.palette.count],
                                              points: points(a.saturatedFraction).filter { $0.y != nil }, dashed: true))
                    k += 1
                }
                if a.attentionEntropy.contains(where: { $0 != nil }) {
                    chart.series.append(.init(name: "\(a.name) attention entropy",
                                              color: Self.palette[k % Self.palette.count],
                                              points: points(a.attentionEntropy).filter { $0.y != nil }))
                    k += 1
                }
            }
            // Without activations: the exactly-zero fraction of bias gradients (dead units
            // from gradients alone).
            for p in s.parameters where p.isVector && p.gradZeroFraction.contains(where: { ($0 ?? 0) > 0 }) {
                chart.series.append(.init(name: "\(p.info.name) zero gradient", color: Self.palette[k % Self.palette.count],
                                          points: points(p.gradZeroFraction).filter { $0.y != nil }, dashed: true))
                k += 1
            }
            guard !chart.series.isEmpty else {
                return "<p class=\"empty\">\(plot.title): the log has no activation statistics.</p>"
            }
            // Each threshold line only where a series it applies to is drawn.
            let entropyOnly = chart.series.allSatisfy { $0.name.hasSuffix(" attention entropy") }
            if !entropyOnly {
                chart.rules.append(.init(y: thresholds.deadFraction, label: "threshold", color: "#d62728"))
            }
            if s.activations.contains(where: { $0.attentionEntropy.contains { $0 != nil } }) {
                chart.rules.append(.init(y: thresholds.attentionEntropy, label: "collapse", color: "#f0a202"))
            }
            chart.bands = bands(plot)
            chart.markers = markers(plot)
            return chart.svg()
        }
    }

    private static let css = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
    header{padding:16px 24px 8px;background:#fff;border-bottom:1px solid #ddd}
    h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:8px 0 10px}h3{font-size:14px;margin:0 0 4px}
    .verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600}
    .verdict.healthy{background:#2ca02c}.verdict.warning{background:#f0a202}.verdict.unhealthy{background:#d62728}
    .counts,.run,.meta,.see{color:#555}.run{margin:4px 0}.note{color:#8a5a00;margin:2px 0}
    main{display:grid;grid-template-columns:minmax(320px,430px) 1fr;gap:20px;padding:16px 24px}
    .card{background:#fff;border:1px solid #ddd;border-left:5px solid #999;border-radius:4px;padding:10px 12px;margin-bottom:12px}
    .card.critical{border-left-color:#d62728}.card.warning{border-left-color:#f0a202}.card.info{border-left-color:#1f77b4}
    .card p{margin:4px 0}.sev{text-transform:uppercase;font-size:11px;letter-spacing:.04em;color:#fff;background:#999;
    padding:1px 5px;border-radius:3px;margin-right:4px}.critical>h3>.sev{background:#d62728}.warning>h3>.sev{background:#f0a202}
    .info>h3>.sev{background:#1f77b4}code{font:12px Menlo,Consolas,monospace;background:#f1f1f1;padding:0 3px;border-radius:2px}
    h3 code{font-weight:normal;color:#666}
    .evidence{border-collapse:collapse;margin:6px 0;font-size:12px}.evidence th{text-align:left;font-weight:normal;color:#555;
    padding:1px 12px 1px 0}.evidence td{font-family:Menlo,Consolas,monospace;text-align:right}
    .suggestion{background:#f6f8fa;padding:6px 8px;border-radius:3px}.see a{color:#1f5fa8}
    figure{margin:0 0 14px;background:#fff;border:1px solid #ddd;border-radius:4px;padding:6px;overflow-x:auto}
    .empty,.none{color:#777;font-style:italic}.alerts{font-size:12px;color:#444;padding-left:18px}
    footer{color:#999;font-size:11px;padding:8px 24px 20px}
    .root{font-weight:600;margin:4px 0}.rootcause{font-size:11px;background:#222;color:#fff;padding:1px 5px;border-radius:3px}
    .consequences{margin:8px 0 0 4px;padding-left:10px;border-left:2px dashed #ccc}.consequences .card{margin-bottom:6px}
    .follows{color:#555;font-size:12px;margin:2px 0 6px}
    @media (max-width:900px){main{grid-template-columns:1fr}}
    """
}
