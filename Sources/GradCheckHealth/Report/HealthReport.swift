/// The judgement of one run: a verdict, the findings with their evidence and suggestions,
/// and what the log says about the run, ready to render as text, JSON
/// (`gradcheck.health/1`), Markdown or a self-contained HTML page.
///
/// ```swift
/// let report = HealthReport(log: try RunLog.read(path: "run.jsonl"))
/// print(report.text())
/// ```
///
/// It works on logs with only the required fields (`step`, `loss`, each parameter's
/// `grad_norm`) and uses more when present: the global and clipped norms, weight and
/// update norms, activation statistics, located non-finite values, epochs.
public struct HealthReport: Sendable {
    /// Unhealthy if any finding is critical, warning if any is a warning, else healthy.
    public let verdict: HealthVerdict
    /// The findings, most severe first, then by first step.
    public let findings: [HealthFinding]
    /// The thresholds the rules used.
    public let thresholds: HealthThresholds
    /// The model's name, if the log gives one.
    public var model: String? { series.model }
    /// The number of steps in the log.
    public var stepCount: Int { series.count }
    /// The first and last step numbers, if any step was logged.
    public var stepRange: ClosedRange<Int>? {
        guard let a = series.steps.first, let b = series.steps.last, a <= b else { return nil }
        return a...b
    }
    /// The number of epochs logged.
    public var epochCount: Int { series.epochs.count }
    /// How the run ended, if the log has `run_end`.
    public var status: RunStatus? { series.end?.status }
    /// The live alerts the log recorded.
    public let alerts: [HealthAlert]
    /// What the reader read past (a torn last line, unknown events).
    public let logWarnings: [RunLogWarning]
    /// Where the log came from, for titles (the CLI sets the path); `nil` for none.
    public var source: String?

    let series: RunSeries

    /// Judges `log` with `thresholds`.
    public init(log: RunLog, thresholds: HealthThresholds = HealthThresholds(), source: String? = nil) {
        let series = RunSeries(log)
        self.series = series
        self.thresholds = thresholds
        self.findings = HealthDetectors.findings(in: series, thresholds: thresholds)
        self.verdict = HealthVerdict(findings: findings)
        self.alerts = log.alerts
        self.logWarnings = log.warnings
        self.source = source
    }

    /// The findings of one kind.
    public func findings(_ kind: FindingKind) -> [HealthFinding] {
        findings.filter { $0.kind == kind }
    }

    /// `12 critical, 3 warnings, 1 info`, or `no findings`.
    var countsSummary: String {
        let counts = Severity.allCases.reversed().compactMap { s -> String? in
            let n = findings.filter { $0.severity == s }.count
            guard n > 0 else { return nil }
            return s == .info ? "\(n) info" : "\(n) \(s.rawValue)\(n == 1 || s == .critical ? "" : "s")"
        }
        return counts.isEmpty ? "no findings" : counts.joined(separator: ", ")
    }

    /// `model mlp, 300 steps (1–300), 10 epochs, ended: completed`.
    var runSummary: String {
        var parts: [String] = []
        if let model { parts.append("model \(model)") }
        var steps = "\(stepCount) step\(stepCount == 1 ? "" : "s")"
        if let r = stepRange, stepCount > 1 { steps += " (\(r.lowerBound)–\(r.upperBound))" }
        parts.append(steps)
        if epochCount > 0 { parts.append("\(epochCount) epoch\(epochCount == 1 ? "" : "s")") }
        parts.append("ended: " + (status?.rawValue ?? "no run_end (killed or still running)"))
        return parts.joined(separator: ", ")
    }
}
