import Foundation
import GradCheck

/// Where a command writes: standard output for results, standard error for progress and
/// diagnostics. Tests capture both, and may pretend to be a terminal.
final class Console {
    private(set) var standardOutput = ""
    private(set) var standardError = ""
    private let capture: Bool
    /// Whether standard output is a terminal (colours are only written there).
    let outputIsTerminal: Bool
    /// Whether standard error is a terminal (progress lines are only written there).
    let errorIsTerminal: Bool
    /// The environment the command runs in (`NO_COLOR`).
    let environment: [String: String]
    /// Set by the command from `--quiet`: no progress lines or notes.
    var quiet = false
    /// Set by the command from `--no-color`.
    var noColor = false

    /// A console on this process's streams, or one that captures what is written.
    ///
    /// - Parameters:
    ///   - terminal: for a capturing console, whether to behave as on a terminal (tests).
    init(capture: Bool, terminal: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.capture = capture
        self.environment = environment
        outputIsTerminal = capture ? terminal : isatty(STDOUT_FILENO) == 1
        errorIsTerminal = capture ? terminal : isatty(STDERR_FILENO) == 1
    }

    /// Takes `--quiet` and `--no-color` from a command's output options.
    func apply(_ options: OutputOptions) {
        quiet = options.quiet
        noColor = options.noColor
    }

    /// Whether colours are written to standard output: on a terminal, unless `--no-color`
    /// or a non-empty `NO_COLOR` says not to (https://no-color.org).
    var colorsOutput: Bool { outputIsTerminal && !noColor && (environment["NO_COLOR"] ?? "").isEmpty }
    /// Whether colours are written to standard error.
    var colorsErrors: Bool { errorIsTerminal && !noColor && (environment["NO_COLOR"] ?? "").isEmpty }

    /// Writes to standard output.
    func out(_ text: String) {
        if capture { standardOutput += text } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    /// Writes a line to standard error.
    func err(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        if capture { standardError += line } else { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Writes a note to standard error unless `--quiet`.
    func note(_ text: String) {
        if !quiet { err(text) }
    }

    /// Writes a command's result: to `--output FILE` whole (a temporary file in the same
    /// directory, renamed over the file, so a reader never sees half of it), noting the
    /// file on standard error; else to standard output, with the status words of text
    /// output coloured on a terminal.
    ///
    /// - Throws: ``CLIError`` naming the file when it cannot be written.
    func emit(_ text: String, _ options: OutputOptions, summary: String? = nil) throws {
        if let path = options.outputPath {
            try Self.writeWhole(text, to: path)
            note("wrote \(path)" + (summary.map { ": \($0)" } ?? ""))
        } else {
            out(options.format == .text && colorsOutput ? ANSI.highlight(text) : text)
        }
    }

    /// Writes `text` to `path` through a temporary file that is renamed into place.
    ///
    /// - Throws: ``CLIError`` naming the file when it cannot be written.
    static func writeWhole(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("--output: cannot write \(path): \(FileProblem.reason(error, path: path, writing: true))")
        }
    }

    /// A progress line on standard error for work that takes more than a second; it is
    /// written only on a terminal and without `--quiet`, and rewritten in place.
    func progress(_ what: String) -> ProgressLine {
        ProgressLine(console: self, what: what, enabled: errorIsTerminal && !quiet && !capture)
    }

    /// Writes a progress line in place (no newline), or clears it with `nil`.
    fileprivate func rewriteProgress(_ line: String?) {
        let text = "\r\u{1B}[2K" + (line ?? "")
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// A line on standard error that shows how far a long job is: `check: 52,000 of 118,612
/// elements (44 %), about 1 s left`. Nothing is shown in the first second, or when
/// standard error is not a terminal; ``finish()`` removes the line.
final class ProgressLine: @unchecked Sendable {
    // @unchecked Sendable: workers may report from any thread; every mutable field is
    // read and written under `lock`, and the console is only written under it too.
    private let console: Console
    private let what: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var shown = false
    private let lock = NSLock()

    fileprivate init(console: Console, what: String, enabled: Bool) {
        self.console = console
        self.what = what
        self.enabled = enabled
    }

    /// Reports `done` of `total` units (`elements`, `runs`).
    func update(done: Int, total: Int, unit: String) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            let elapsed = now.timeIntervalSince(start)
            guard elapsed >= 1, now.timeIntervalSince(lastDraw) >= 0.1 || done == total else { return }
            lastDraw = now
            var line = "\(what): \(Self.grouped(done)) of \(Self.grouped(total)) \(unit)"
            if total > 0 { line += " (\(done * 100 / total) %)" }
            if done > 0, done < total {
                let left = elapsed / Double(done) * Double(total - done)
                line += ", about \(Self.duration(left)) left"
            }
            console.rewriteProgress(line)
            shown = true
        }
    }

    /// Removes the line, if one was shown.
    func finish() {
        guard enabled else { return }
        lock.withLock {
            if shown { console.rewriteProgress(nil) }
            shown = false
        }
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? "\(Int(seconds.rounded(.up))) s" : "\(Int((seconds / 60).rounded())) min"
    }
}

/// ANSI colours for text output on a terminal.
enum ANSI {
    static let red = "\u{1B}[31m", green = "\u{1B}[32m", yellow = "\u{1B}[33m", bold = "\u{1B}[1m", reset = "\u{1B}[0m"

    /// The verdict words that start a line (`PASSED`, `FAILED`, `MATCH`, `MISMATCH`,
    /// `FAIL`, `KINK`, `NOT CHECKED`), coloured.
    static func highlight(_ text: String) -> String {
        let words: [(String, String)] = [
            ("PASSED", green), ("MATCH", green), ("FAILED", red), ("MISMATCH", red), ("FAIL", red),
            ("NOT CHECKED", red), ("KINK", yellow),
        ]
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            for (word, color) in words where line.hasPrefix(word) {
                let rest = line.dropFirst(word.count)
                if rest.isEmpty || rest.first == ":" || rest.first == " " {
                    return color + bold + word + reset + rest
                }
            }
            return String(line)
        }.joined(separator: "\n")
    }

    /// An error line's prefix in red.
    static func error(_ text: String) -> String { red + text + reset }
}
