import Foundation
import GradCheck

/// `gradcheck report RUN.jsonl`: judges a training run from its run log
/// (`gradcheck.log/1`, from our trainer or any framework's logger) and prints the health
/// report as text, JSON (`gradcheck.health/1`), Markdown or a self-contained HTML page.
///
/// Exit status: 0 when the report was produced and the verdict is healthy or warning
/// (warnings inform, they do not fail a pipeline); 1 when it is unhealthy (any critical
/// finding), or any warning with `--strict`; 2 on bad input (a log that cannot be read, a
/// wrong flag).
enum ReportCommand {
    /// `--format`: the shared formats plus `html`.
    enum Format: String, CaseIterable {
        case text, json, markdown, html
    }

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
        .init(name: "saturated-fraction", help: "saturation when this fraction of a bounded layer's outputs is at its bounds (default 0.5)") { $0.saturatedFraction = $1 },
        .init(name: "plateau-improvement", help: "plateau when the loss improves by less than this fraction of its baseline (default 0.01)") { $0.plateauImprovement = $1 },
        .init(name: "oscillation-amplitude", help: "oscillating when the median step change exceeds this fraction of the baseline loss (default 0.25)") { $0.oscillationAmplitude = $1 },
        .init(name: "small-update-ratio", help: "small updates below this update/weight norm ratio (default 1e-5)") { $0.smallUpdateRatio = $1 },
        .init(name: "large-update-ratio", help: "large updates above this update/weight norm ratio (default 0.1)") { $0.largeUpdateRatio = $1 },
        .init(name: "sustained-fraction", help: "a condition is sustained when it holds on this fraction of the steps (default 0.5)") { $0.sustainedFraction = $1 },
        .init(name: "baseline-steps", help: "steps at the start whose median is the baseline (default 10)", apply: { $0.baselineSteps = Int($1) }, integer: true),
    ]

    static var flags: [Arguments.Flag] {
        [.init(name: "format", valueName: "text|json|markdown|html", help: "output format (default: text)"),
         .init(name: "output", valueName: "FILE", help: "write the report to FILE (whole, atomically) instead of standard output"),
         .init(name: "strict", valueName: nil, help: "exit 1 on a warning verdict too")]
            + thresholdFlags.map { .init(name: $0.name, valueName: $0.integer ? "N" : "X", help: $0.help) }
    }

    static var help: String {
        helpText(usage: "report RUN.jsonl [--format text|json|markdown|html] [--output FILE] [options]", description: """
        Judges a training run from its run log (gradcheck.log/1: JSON Lines written by `gradcheck train`, the
        HealthMonitor API, or a logger in another framework; only `step`, `loss` and each parameter's
        `grad_norm` are required). It looks for vanishing and exploding gradients, non-finite values, loss
        divergence, plateaus and oscillation, dead and saturated units, and update/weight ratios far from
        1e-3, and prints a verdict (healthy, warning, unhealthy) with each finding's evidence and a concrete
        suggestion. `--format html` writes one self-contained page with SVG plots. A torn last line and
        unknown events are reported on standard error, not rejected.

        Exit status: 0 healthy or warning, 1 unhealthy (or warning with --strict), 2 bad input.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let path = try args.requirePositionals(["run.jsonl"])[0]
        let format = try args.choice("format", Format.allCases.map(\.rawValue)).flatMap(Format.init(rawValue:)) ?? .text
        var thresholds = HealthThresholds()
        for flag in thresholdFlags {
            if flag.integer {
                if let n = try args.int(flag.name, minimum: 1) { flag.apply(&thresholds, Double(n)) }
            } else if let x = try args.double(flag.name, positive: true) {
                flag.apply(&thresholds, x)
            }
        }
        let log = try RunLog.read(path: path)
        for warning in log.warnings { console.err("gradcheck report: \(path): \(warning)") }
        let report = HealthReport(log: log, thresholds: thresholds, source: path)
        let text: String
        switch format {
        case .text: text = report.text()
        case .json: text = JSONWriter.pretty.fileContents(for: report.json())
        case .markdown: text = report.markdown()
        case .html: text = report.html()
        }
        if let output = args.string("output") {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("--output: cannot write \(output): \(error.localizedDescription)")
            }
            console.err("gradcheck report: wrote \(output): \(report.verdict.rawValue) (\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"))")
        } else {
            console.out(text)
        }
        switch report.verdict {
        case .healthy: return 0
        case .warning: return args.has("strict") ? 1 : 0
        case .unhealthy: return 1
        }
    }
}
