/// Judges a run log as it is read, event by event, in bounded memory: what
/// ``HealthReport/read(path:thresholds:source:)`` and `gradcheck report --follow` use.
///
/// ```swift
/// var reader = try RunLogReader(path: "run.jsonl")
/// var accumulator = RunAccumulator()
/// while let event = try reader.next() { accumulator.add(event) }
/// print(accumulator.report(warnings: reader.warnings).text())
/// ```
///
/// Memory is bounded by ``capacity``: a run of up to that many steps is kept step by step
/// and judged exactly as a ``RunLog`` in memory would be; a longer one is kept in buckets
/// of 2, 4, 8... consecutive steps, each holding the mean, the maximum and the first
/// non-finite value of every series, so that spikes and NaNs survive (and first and last
/// steps of findings are exact to a bucket). Each event costs O(parameters + layers)
/// amortised; ``report(thresholds:warnings:source:)`` costs O(capacity × series).
public struct RunAccumulator: Sendable {
    private var builder: RunSeriesBuilder

    /// An empty accumulator keeping at most `capacity` points per series (at least 16).
    public init(capacity: Int = 8192) {
        builder = RunSeriesBuilder(capacity: capacity)
    }

    /// The most points a series keeps.
    public var capacity: Int { builder.capacity }
    /// The number of `step` events added.
    public var stepCount: Int { builder.totalSteps }
    /// Whether a `run_start` event was added.
    var hasStart: Bool { builder.hasStart }
    /// Whether a `run_end` event was added.
    public var hasEnded: Bool { builder.end != nil }

    /// Adds one event of the log. Amortised O(parameters + layers).
    public mutating func add(_ event: RunLogEvent) { builder.add(event) }

    /// The report on the events so far.
    public func report(thresholds: HealthThresholds = HealthThresholds(), warnings: [RunLogWarning] = [],
                       source: String? = nil) -> HealthReport {
        HealthReport(series: builder.series(), alerts: builder.alerts, warnings: warnings, thresholds: thresholds,
                     source: source)
    }
}
