/// How bad a finding or alert is.
public enum Severity: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    /// Worth knowing; the run is not harmed.
    case info
    /// Likely to cost accuracy or time.
    case warning
    /// The run is broken or will not train.
    case critical

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    /// `info < warning < critical`.
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
