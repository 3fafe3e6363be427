extension HealthReport {
    /// A terminal summary: the verdict first, then each finding with its evidence and
    /// suggestion, then the live alerts and anything the reader read past.
    public func text() -> String {
        var out = "Verdict: \(verdict.rawValue.uppercased()) (\(countsSummary))"
        if let source { out += " — \(source)" }
        out += "\n"
        if let cause = rootCauseSummary { out += cause.prefix(1).uppercased() + cause.dropFirst() + "\n" }
        out += "\(runSummary)\n"
        for w in logWarnings { out += "note: \(w)\n" }
        if findings.isEmpty {
            out += stepCount == 0 ? "\nThe log has no steps to judge.\n" : "\nNo problems found.\n"
        }
        for f in findings {
            // A consequence is indented under its cause, and says which one.
            let depth = self.depth(of: f)
            let pad = String(repeating: "    ", count: depth)
            var head = "\n" + pad + (depth > 0 ? "└─ " : "") + "\(f.severity.rawValue.uppercased())  \(f.kind.rawValue)"
            if let where_ = f.parameter ?? f.layer { head += "  \(where_)" }
            if !f.stepRange.isEmpty { head += "  (\(f.stepRange))" }
            out += head + "\n"
            let body = pad + (depth > 0 ? "   " : "") + "  "
            if let cause = f.consequenceOf { out += body + "consequence of \(cause)\n" }
            out += body + "\(f.message)\n"
            if !f.evidence.isEmpty {
                out += body + "evidence: " + f.evidence.map { "\($0.name) \(NumberText.short($0.value))" }.joined(separator: ", ") + "\n"
            }
            out += body + "suggestion: \(f.suggestion)\n"
        }
        if !alerts.isEmpty {
            out += "\nLive alerts during the run:\n"
            for a in alerts { out += "  \(a)\n" }
        }
        return out
    }
}
