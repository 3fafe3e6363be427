/// The overall judgement of a run.
public enum HealthVerdict: String, Sendable, Equatable, CaseIterable {
    /// No finding above `info`.
    case healthy
    /// At least one `warning`, no `critical`.
    case warning
    /// At least one `critical` finding.
    case unhealthy

    /// Unhealthy if any finding is critical, warning if any is a warning, else healthy.
    public init(findings: [HealthFinding]) {
        let worst = findings.map(\.severity).max() ?? .info
        switch worst {
        case .critical: self = .unhealthy
        case .warning: self = .warning
        case .info: self = .healthy
        }
    }
}
