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
    /// The findings in causal order: each root cause (worst first), followed by the
    /// findings that follow from it (``HealthFinding/consequenceOf``). See ``CausalOrder``
    /// for the rules.
    public let findings: [HealthFinding]
    /// The thresholds the rules used.
    public let thresholds: HealthThresholds
    /// The model's name, if the log gives one.
    public var model: String? { series.model }
    /// The number of steps in the log.
    public var stepCount: Int { series.totalSteps }
    /// The first and last step numbers, if any step was logged.
    public var stepRange: ClosedRange<Int>? {
        guard let a = series.steps.first, let b = series.lastStep, a <= b else { return nil }
        return a...b
    }
    /// Steps per point of the series the rules judged: 1 (every step) for a run of up to
    /// 8192 steps, then doubling (see ``RunAccumulator``).
    public var bucketWidth: Int { series.bucketWidth }
    /// The number of epochs logged.
    public var epochCount: Int { series.epochs.count }
    /// How the run ended, if the log has `run_end`.
    public var status: RunStatus? { series.end?.status }
    /// The live alerts the log recorded (the first 10,000).
    public let alerts: [HealthAlert]
    /// What the reader read past (a torn last line, unknown events).
    public let logWarnings: [RunLogWarning]
    /// Where the log came from, for titles (the CLI sets the path); `nil` for none.
    public var source: String?

    let series: RunSeries

    /// Judges `log` with `thresholds`.
    public init(log: RunLog, thresholds: HealthThresholds = HealthThresholds(), source: String? = nil) {
        self.init(series: RunSeries(log), alerts: log.alerts, warnings: log.warnings, thresholds: thresholds,
                  source: source)
    }

    init(series: RunSeries, alerts: [HealthAlert], warnings: [RunLogWarning], thresholds: HealthThresholds,
         source: String?) {
        self.series = series
        self.thresholds = thresholds
        self.findings = CausalOrder.order(HealthDetectors.findings(in: series, thresholds: thresholds), run: series,
                                          thresholds: thresholds)
        self.verdict = HealthVerdict(findings: findings)
        self.alerts = alerts
        self.logWarnings = warnings
        self.source = source
    }

    /// Reads the log at `path` line by line and judges it, in memory bounded whatever the
    /// log's length (see ``RunAccumulator``).
    ///
    /// - Throws: ``RunLogError`` for a file that cannot be read or a line that is wrong; a
    ///   torn last line and unknown events are ``logWarnings``.
    public static func read(path: String, thresholds: HealthThresholds = HealthThresholds(),
                            source: String? = nil) throws(RunLogError) -> HealthReport {
        var reader = try RunLogReader(path: path)
        var accumulator = RunAccumulator()
        while let event = try reader.next() {
            if case .runStart = event, accumulator.hasStart {
                reader.warn(RunLogWarning(kind: .repeatedRunStart, line: reader.line,
                                          message: "a second run_start: only the first run's description is used"))
            }
            accumulator.add(event)
        }
        return accumulator.report(thresholds: thresholds, warnings: reader.warnings, source: source ?? path)
    }

    /// The root cause the verdict names: the first finding, which is a root cause of the
    /// worst tree; `nil` when there are no findings.
    public var rootCause: HealthFinding? { findings.first }

    /// The finding whose ``HealthFinding/id`` is `id`.
    public func finding(id: String) -> HealthFinding? { findings.first { $0.id == id } }

    /// How many causes lie above `finding`: 0 for a root cause.
    public func depth(of finding: HealthFinding) -> Int {
        var depth = 0
        var current = finding
        while let c = current.consequenceOf, let cause = self.finding(id: c), depth < findings.count {
            depth += 1
            current = cause
        }
        return depth
    }

    /// `root cause: exploding_gradients (dense_3) from step 12`, or `nil` without findings.
    var rootCauseSummary: String? {
        guard let r = rootCause else { return nil }
        var text = "root cause: \(r.kind.rawValue)"
        if let w = r.parameter ?? r.layer { text += " (\(w))" }
        if let s = r.firstStep { text += " from step \(s)" }
        let n = findings.filter { $0.consequenceOf != nil }.count
        if n > 0 { text += "; \(n) finding\(n == 1 ? " follows" : "s follow") from a cause" }
        return text
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
