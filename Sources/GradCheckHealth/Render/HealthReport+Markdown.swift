extension HealthReport {
    /// The report as Markdown: a verdict line, a summary table of the findings, then a
    /// section per finding with its evidence table and suggestion.
    public func markdown() -> String {
        var out = "## Training health: \(verdict.rawValue)\n\n"
        out += "**\(verdict.rawValue.capitalized)** (\(countsSummary))"
        if let source { out += " — `\(escape(source))`" }
        out += "\n\n"
        if let cause = rootCauseSummary { out += "**" + escape(cause.prefix(1).uppercased() + cause.dropFirst()) + "**\n\n" }
        out += "\(escape(runSummary)).\n"
        for w in logWarnings { out += "\n> Note: \(escape(w.description))\n" }
        if findings.isEmpty {
            out += stepCount == 0 ? "\nThe log has no steps to judge.\n" : "\nNo problems found.\n"
            return out
        }
        out += "\n| severity | kind | where | steps | cause | message |\n|---|---|---|---|---|---|\n"
        for f in findings {
            let depth = self.depth(of: f)
            let kind = String(repeating: "&nbsp;&nbsp;", count: depth) + (depth > 0 ? "└ " : "") + "`\(f.kind.rawValue)`"
            out += "| \(f.severity.rawValue) | \(kind) | \(escape(f.parameter ?? f.layer ?? "")) | "
                + "\(f.stepRange) | \(f.consequenceOf.map { "consequence of `\(escape($0))`" } ?? "**root cause**") | "
                + "\(escape(f.message)) |\n"
        }
        for f in findings {
            out += "\n" + String(repeating: "#", count: Swift.min(6, 3 + self.depth(of: f))) + " \(f.kind.title)"
            if let where_ = f.parameter ?? f.layer { out += " — `\(escape(where_))`" }
            out += " (\(f.severity.rawValue))\n\n"
            if let cause = f.consequenceOf { out += "_Consequence of `\(escape(cause))`._\n\n" }
            out += "\(escape(f.message))\n\n"
            if !f.evidence.isEmpty {
                out += "| evidence | value |\n|---|---|\n"
                for e in f.evidence { out += "| \(e.name) | \(NumberText.short(e.value)) |\n" }
                out += "\n"
            }
            out += "**Suggestion:** \(escape(f.suggestion))\n"
        }
        if !alerts.isEmpty {
            out += "\n### Live alerts\n\n"
            for a in alerts { out += "- \(escape(a.description))\n" }
        }
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
    }
}
