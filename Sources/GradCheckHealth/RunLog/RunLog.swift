/// A whole run log in memory, gathered by kind of event: what the report judges.
///
/// Read one with ``read(path:)`` or ``parse(_:file:)``; the ``HealthMonitor`` also keeps
/// one for the run it records (``HealthMonitor/log``).
public struct RunLog: Sendable, Equatable {
    /// The `run_start` line, if the log has one.
    public var start: RunStart?
    /// The `step` lines, in log order.
    public var steps: [RunStep]
    /// The `epoch` lines, in log order.
    public var epochs: [RunEpoch]
    /// The `alert` lines, in log order.
    public var alerts: [HealthAlert]
    /// The `run_end` line, if the run ended cleanly enough to write one.
    public var end: RunEnd?
    /// What the reader read past: a torn last line, unknown events.
    public var warnings: [RunLogWarning]

    /// A log with the given contents.
    public init(start: RunStart? = nil, steps: [RunStep] = [], epochs: [RunEpoch] = [],
                alerts: [HealthAlert] = [], end: RunEnd? = nil, warnings: [RunLogWarning] = []) {
        self.start = start
        self.steps = steps
        self.epochs = epochs
        self.alerts = alerts
        self.end = end
        self.warnings = warnings
    }

    /// Adds one event. A second `run_start` or `run_end` replaces nothing: the first one
    /// stands (the reader warns about a repeated `run_start`).
    public mutating func append(_ event: RunLogEvent) {
        switch event {
        case let .runStart(s): if start == nil { start = s }
        case let .step(s): steps.append(s)
        case let .epoch(e): epochs.append(e)
        case let .alert(a): alerts.append(a)
        case let .runEnd(e): if end == nil { end = e }
        }
    }

    /// Reads the log at `path`, streaming it line by line.
    ///
    /// - Throws: ``RunLogError`` for a file that cannot be read or a line that is wrong
    ///   (see ``RunLogReader``); a torn last line and unknown events are ``warnings``.
    public static func read(path: String) throws(RunLogError) -> RunLog {
        var reader = try RunLogReader(path: path)
        return try collect(&reader)
    }

    /// Reads a log from text; `file` is the name to put in errors.
    public static func parse(_ text: String, file: String? = nil) throws(RunLogError) -> RunLog {
        var reader = RunLogReader(text: text, file: file)
        return try collect(&reader)
    }

    private static func collect(_ reader: inout RunLogReader) throws(RunLogError) -> RunLog {
        var log = RunLog()
        while let event = try reader.next() {
            if case .runStart = event, log.start != nil {
                reader.warn(RunLogWarning(kind: .repeatedRunStart, line: reader.line,
                                          message: "a second run_start: only the first run's description is used"))
            }
            log.append(event)
        }
        log.warnings = reader.warnings
        return log
    }
}
