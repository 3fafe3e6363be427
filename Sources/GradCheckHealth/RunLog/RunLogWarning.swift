/// Something in a run log that was read past rather than rejected: a torn last line, or
/// events of a kind this reader does not know.
public struct RunLogWarning: Sendable, Equatable, CustomStringConvertible {
    /// What was read past.
    public enum Kind: String, Sendable, Equatable {
        /// The last line is not a whole JSON object: the run was killed while writing it.
        case tornLastLine = "torn_last_line"
        /// Lines with an `event` this reader does not know (counted, first line given).
        case unknownEvent = "unknown_event"
        /// A second `run_start` (two runs appended to one file); only the first is used.
        case repeatedRunStart = "repeated_run_start"
        /// An `alert` line whose `kind` this reader does not know.
        case unknownAlertKind = "unknown_alert_kind"
    }

    /// What kind of thing was read past.
    public var kind: Kind
    /// The 1-based line (the first one, for counted warnings).
    public var line: Int
    /// A sentence for people.
    public var message: String

    /// Creates a warning.
    public init(kind: Kind, line: Int, message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    /// `line N: MESSAGE`.
    public var description: String { "line \(line): \(message)" }
}
