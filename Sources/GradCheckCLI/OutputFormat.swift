import Foundation

/// The output formats of `--format`. Each command accepts the ones that make sense for
/// it (see ``OutputOptions``) and says which in its `--help`.
enum OutputFormat: String, CaseIterable {
    case text, json, markdown, html

    /// The common `--format text|json|markdown` flag (for commands that take exactly those).
    static let flag = OutputOptions.formatFlag([.text, .json, .markdown], default: .text)

    /// The format `--format` names among text, json and markdown, or text.
    static func from(_ args: Arguments) throws -> OutputFormat {
        try from(args, accepting: [.text, .json, .markdown], default: .text)
    }

    /// The format `--format` names among `formats`, or `fallback`.
    ///
    /// - Throws: ``CLIError`` for a format the command does not write, with a suggestion.
    static func from(_ args: Arguments, accepting formats: [OutputFormat], default fallback: OutputFormat) throws -> OutputFormat {
        try args.choice("format", formats.map(\.rawValue)).flatMap(OutputFormat.init(rawValue:)) ?? fallback
    }
}

/// The output convention every command follows: `--format` (the formats the command
/// writes), `--output FILE` (the same bytes written whole to a file: a temporary file
/// renamed into place), `--quiet` (no progress or notes on standard error) and
/// `--no-color` (also the `NO_COLOR` environment variable). Results go to standard
/// output, or to the file; progress and diagnostics to standard error.
struct OutputOptions {
    /// The format to write.
    var format: OutputFormat
    /// Where to write instead of standard output.
    var outputPath: String?
    /// Whether progress lines and notes are left out.
    var quiet: Bool
    /// Whether `--no-color` was given.
    var noColor: Bool

    /// The `--format` flag for a command that writes `formats`.
    static func formatFlag(_ formats: [OutputFormat], default fallback: OutputFormat) -> Arguments.Flag {
        .init(name: "format", valueName: formats.map(\.rawValue).joined(separator: "|"),
              help: "output format (default: \(fallback.rawValue))"
                + (formats.contains(.json) ? "; json carries \"format\": \"gradcheck.<kind>/1\"" : ""))
    }

    /// `--format`, `--output`, `--quiet`, `--no-color` for a command that writes `formats`.
    static func flags(_ formats: [OutputFormat], default fallback: OutputFormat = .text) -> [Arguments.Flag] {
        [formatFlag(formats, default: fallback)] + commonFlags
    }

    /// `--output`, `--quiet`, `--no-color`.
    static let commonFlags: [Arguments.Flag] = [
        .init(name: "output", valueName: "FILE", help: "write the result to FILE (whole: a temporary file, then renamed) instead of standard output"),
        .init(name: "quiet", valueName: nil, help: "no progress lines or notes on standard error"),
        .init(name: "no-color", valueName: nil, help: "no colours on a terminal (also: the NO_COLOR environment variable)"),
    ]

    /// Reads the output flags of a command that writes `formats`.
    ///
    /// - Throws: ``CLIError`` for a format the command does not write.
    init(_ args: Arguments, formats: [OutputFormat], default fallback: OutputFormat = .text) throws {
        format = try OutputFormat.from(args, accepting: formats, default: fallback)
        outputPath = args.string("output")
        if let outputPath, outputPath.isEmpty { throw CLIError("--output: expected a file name") }
        quiet = args.has("quiet")
        noColor = args.has("no-color")
    }
}

/// Help text for a command: usage line, description and its flags. The formats a command
/// writes are those its `--format` flag lists.
func helpText(usage: String, description: String, flags: [Arguments.Flag]) -> String {
    var text = "USAGE: gradcheck \(usage)\n\n\(description)\n"
    if let format = flags.first(where: { $0.name == "format" }), let formats = format.valueName {
        text += "\nFORMATS: \(formats.replacingOccurrences(of: "|", with: ", "))\n"
    }
    text += "\nOPTIONS:\n"
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
