extension HealthReport {
    /// A terminal summary: the verdict first, then each finding with its evidence and
    /// suggestion, then the live alerts and anything the reader read past.
    public func text() -> String {
        var out = "Verdict: \(verdict.rawValue.uppercased()) (\(countsSummary))"
        if let source { out += " — \(source)" }
        out += "\n\(runSummary)\n"
        for w in logWarnings { out += "note: \(w)\n" }
        if findings.isEmpty {
            out += stepCount == 0 ? "\nThe log has no steps to judge.\n" : "\nNo problems found.\n"
        }
        for f in findings {
            var head = "\n\(f.severity.rawValue.uppercased())  \(f.kind.rawValue)"
            if let where_ = f.parameter ?? f.layer { head += "  \(where_)" }
            if !f.stepRange.isEmpty { head += "  (\(f.stepRange))" }
            out += head + "\n"
            out += "  \(f.message)\n"
            if !f.evidence.isEmpty {
                out += "  evidence: " + f.evidence.map { "\($0.name) \(NumberText.short($0.value))" }.joined(separator: ", ") + "\n"
            }
            out += "  suggestion: \(f.suggestion)\n"
        }
        if !alerts.isEmpty {
            out += "\nLive alerts during the run:\n"
            for a in alerts { out += "  \(a)\n" }
        }
        return out
    }
}
