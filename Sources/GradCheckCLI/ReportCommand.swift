import Foundation
import GradCheck

/// `gradcheck report RUN.jsonl [RUN2.jsonl ...]`: judges a training run from its run log
/// (`gradcheck.log/1`, from our trainer or any framework's logger) and prints the health
/// report as text, JSON (`gradcheck.health/1`), Markdown or a self-contained HTML page;
/// several logs are compared side by side; `--follow` refreshes the report while a run
/// writes its log.
///
/// Exit status: 0 when the report was produced and the verdict is healthy or warning
/// (warnings inform, they do not fail a pipeline); 1 when it is unhealthy (any critical
/// finding), or any warning with `--strict`; 2 on bad input (a log that cannot be read, a
/// wrong flag).
enum ReportCommand {
    /// The threshold flags: name, value name, help, and where the value goes.
    struct ThresholdFlag: Sendable {
        var name: String
        var help: String
        var apply: @Sendable (inout HealthThresholds, Double) -> Void
        var integer = false
    }

    static let thresholdFlags: [ThresholdFlag] = [
        .init(name: "vanishing-ratio", help: "vanishing when a layer's gradient norm is below R × the output layer's (default 1e-3)") { $0.vanishingRatio = $1 },
        .init(name: "vanishing-norm", help: "vanishing when a layer's gradient norm is below N (default 1e-7)") { $0.vanishingNorm = $1 },
        .init(name: "exploding-growth", help: "exploding when the global norm reaches G × its baseline (default 100)") { $0.explodingGrowth = $1 },
        .init(name: "exploding-norm", help: "exploding when the global norm reaches N (default 1e4)") { $0.explodingNorm = $1 },
        .init(name: "divergence-factor", help: "diverged when the loss exceeds F × its baseline (default 10)") { $0.divergenceFactor = $1 },
        .init(name: "dead-fraction", help: "dead units when this fraction of a ReLU layer's units is dead (default 0.5)") { $0.deadFraction = $1 },
        .init(name: "attention-entropy", help: "attention collapse when an attention layer's normalised entropy is at or below this (default 0.1)") { $0.attentionEntropy = $1 },
        .init(name: "saturated-fraction", help: "saturation when this fraction of a bounded layer's outputs is at its bounds (default 0.5)") { $0.saturatedFraction = $1 },
        .init(name: "plateau-improvement", help: "plateau when the loss improves by less than this fraction of its baseline (default 0.01)") { $0.plateauImprovement = $1 },
        .init(name: "oscillation-amplitude", help: "oscillating when the median step change exceeds this fraction of the baseline loss (default 0.25)") { $0.oscillationAmplitude = $1 },
        .init(name: "small-update-ratio", help: "small updates below this update/weight norm ratio (default 1e-5)") { $0.smallUpdateRatio = $1 },
        .init(name: "large-update-ratio", help: "large updates above this update/weight norm ratio (default 0.1)") { $0.largeUpdateRatio = $1 },
        .init(name: "sustained-fraction", help: "a condition is sustained when it holds on this fraction of the steps (default 0.5)") { $0.sustainedFraction = $1 },
        .init(name: "baseline-steps", help: "steps at the start whose median is the baseline (default 10)", apply: { $0.baselineSteps = Int($1) }, integer: true),
    ]

    static var flags: [Arguments.Flag] {
        OutputOptions.flags(OutputFormat.allCases)
            + [.init(name: "strict", valueName: nil, help: "exit 1 on a warning verdict too"),
               .init(name: "follow", valueName: nil, help: "re-read the log as a run writes it and refresh the text report; exit 0 at run_end"),
               .init(name: "interval", valueName: "SECONDS", help: "with --follow: how often to look for new lines (default 1)")]
            + thresholdFlags.map { .init(name: $0.name, valueName: $0.integer ? "N" : "X", help: $0.help) }
    }

    static var help: String {
        helpText(usage: "report RUN.jsonl [RUN2.jsonl ...] [--format text|json|markdown|html] [--output FILE] [--follow] [options]", description: """
        Judges a training run from its run log (gradcheck.log/1: JSON Lines written by `gradcheck train`, the
        HealthMonitor API, or a logger in another framework; only `step`, `loss` and each parameter's
        `grad_norm` are required). It looks for vanishing and exploding gradients, non-finite values, loss
        divergence, plateaus and oscillation, dead and saturated units, update/weight ratios far from 1e-3
        and learning-rate jumps, and prints a verdict (healthy, warning, unhealthy) that names the root
        cause, with each finding's evidence and a concrete suggestion; a finding that follows from another
        (vanishing gradients after a divergence) is shown under its cause. `--format html` writes one
        self-contained page with SVG plots. The log is read line by line in bounded memory, so logs of
        any length work. A torn last line and unknown events are reported on standard error, not rejected.

        With several logs it compares the runs side by side: a table of each run's verdict, root cause and
        findings, and (HTML) the same charts with the runs overlaid. `--follow RUN.jsonl` re-reads a log
        that a run is still writing and prints the text report again whenever new steps arrive, until the
        log's run_end.

        Exit status: 0 healthy or warning, 1 unhealthy (or warning with --strict; with several logs, the
        worst run), 2 bad input; with --follow, 0 once run_end arrives.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        guard !args.positionals.isEmpty else { _ = try args.requirePositionals(["run.jsonl"]); return 2 }
        let paths = args.positionals
        let output = try OutputOptions(args, formats: OutputFormat.allCases)
        console.apply(output)
        let format = output.format
        var thresholds = HealthThresholds()
        for flag in thresholdFlags {
            if flag.integer {
                if let n = try args.int(flag.name, minimum: 1) { flag.apply(&thresholds, Double(n)) }
            } else if let x = try args.double(flag.name, positive: true) {
                flag.apply(&thresholds, x)
            }
        }
        if args.has("follow") {
            guard paths.count == 1 else { throw CLIError("--follow takes one log, got \(paths.count)") }
            guard format == .text, args.string("output") == nil else {
                throw CLIError("--follow refreshes the text report on standard output: leave out --format and --output")
            }
            let interval = try args.double("interval", positive: true) ?? 1
            return try follow(paths[0], thresholds: thresholds, interval: interval, console: console)
        }
        if args.string("interval") != nil { throw CLIError("--interval goes with --follow") }

        var reports: [HealthReport] = []
        for path in paths {
            let report = try HealthReport.read(path: path, thresholds: thresholds)
            for warning in report.logWarnings { console.note("gradcheck report: \(path): \(warning)") }
            reports.append(report)
        }
        let text: String
        let summary: String
        if reports.count == 1 {
            let report = reports[0]
            switch format {
            case .text: text = report.text()
            case .json: text = JSONWriter.pretty.fileContents(for: report.json())
            case .markdown: text = report.markdown()
            case .html: text = report.html()
            }
            summary = "\(report.verdict.rawValue) (\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"))"
        } else {
            let comparison = HealthComparison(reports)
            switch format {
            case .text: text = comparison.text()
            case .json: text = JSONWriter.pretty.fileContents(for: comparison.json())
            case .markdown: text = comparison.markdown()
            case .html: text = comparison.html()
            }
            summary = "\(reports.count) runs compared, worst \(comparison.verdict.rawValue)"
        }
        try console.emit(text, output, summary: summary)
        let worst = reports.map(\.verdict).max { rank($0) < rank($1) } ?? .healthy
        switch worst {
        case .healthy: return 0
        case .warning: return args.has("strict") ? 1 : 0
        case .unhealthy: return 1
        }
    }

    private static func rank(_ v: HealthVerdict) -> Int {
        switch v {
        case .healthy: return 0
        case .warning: return 1
        case .unhealthy: return 2
        }
    }

    /// `--follow`: reads the whole lines written so far, prints the text report when new
    /// steps arrived, waits `interval` seconds, and again, until `run_end`.
    static func follow(_ path: String, thresholds: HealthThresholds, interval: Double, console: Console) throws -> Int32 {
        var reader = try RunLogReader(path: path)
        var accumulator = RunAccumulator()
        var shown = -1
        var refreshes = 0
        let terminal = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        while true {
            while let event = try reader.nextAvailable() { accumulator.add(event) }
            if accumulator.stepCount != shown || accumulator.hasEnded {
                shown = accumulator.stepCount
                refreshes += 1
                let report = accumulator.report(thresholds: thresholds, warnings: reader.warnings, source: path)
                let banner = accumulator.hasEnded ? "run ended" : "following, refresh \(refreshes)"
                // On a terminal each refresh replaces the last; in a pipe or file they follow one another.
                let separator = refreshes == 1 ? "" : (terminal ? "\u{1B}[H\u{1B}[2J" : "\n")
                console.out(separator + "==== gradcheck report --follow: \(accumulator.stepCount) steps, \(banner) ====\n")
                console.out(report.text())
                if accumulator.hasEnded { return 0 }
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }
}
