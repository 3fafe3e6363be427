/// The output formats of `--format`.
enum OutputFormat: String, CaseIterable {
    case text, json, markdown

    static let flag = Arguments.Flag(name: "format", valueName: "text|json|markdown",
                                     help: "output format (default: text)")

    /// The format `--format` names, or text.
    static func from(_ args: Arguments) throws -> OutputFormat {
        try args.choice("format", allCases.map(\.rawValue)).flatMap(OutputFormat.init(rawValue:)) ?? .text
    }
}

/// Help text for a command: usage line, description and its flags.
func helpText(usage: String, description: String, flags: [Arguments.Flag]) -> String {
    var text = "USAGE: gradcheck \(usage)\n\n\(description)\n\nOPTIONS:\n"
    for f in flags {
        let name = "--\(f.name)" + (f.valueName.map { " \($0)" } ?? "")
        text += "  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(f.help)\n"
    }
    text += "  \("--help".padding(toLength: 30, withPad: " ", startingAt: 0)) show this help\n"
    return text
}

/// A number in short scientific form for tables (`1.2e-09`), or `0`.
func sci(_ x: Double) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    var s = String(format: "%.1e", x)
    // 1.2e-09 style is what people read in PyTorch output; keep the C form.
    if s.hasPrefix("+") { s.removeFirst() }
    return s
}

/// A number with up to 6 significant digits for tables.
func short(_ x: Double) -> String {
    if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.6g", x)
}

/// Left-aligns `columns` into a fixed-width table.
func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let pad = String(repeating: " ", count: widths[i] - c.count)
            return rightAligned.contains(i) ? pad + c : c + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
}

/// A Markdown table.
func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
    var text = "| " + header.joined(separator: " | ") + " |\n"
    text += "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
    for r in rows { text += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
    return text
}
