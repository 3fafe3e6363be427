import Foundation
import GradCheck

/// `gradcheck train SPEC --data CSV`: trains the model on a CSV dataset with the spec's
/// `training` block (flags override it), printing a line per epoch on a terminal, and
/// optionally writing the run log and the health report.
///
/// Exit status: 0 when the run completed or stopped early, 1 when it diverged (a
/// non-finite loss or gradient) or was interrupted, 2 on bad input.
enum TrainCommand {
    static let flags: [Arguments.Flag] = [
        .init(name: "data", valueName: "CSV", help: "the training data: a header row, one sample per line, a label column (required)"),
        .init(name: "label", valueName: "NAME", help: "the label column (default: label)"),
        .init(name: "epochs", valueName: "N", help: "passes over the training data (default: the spec's, else 10)"),
        .init(name: "batch-size", valueName: "N", help: "samples per step (default: the spec's, else 32)"),
        .init(name: "learning-rate", valueName: "X", help: "the optimiser's learning rate (default: the spec's, else the Keras default)"),
        .init(name: "optimizer", valueName: "NAME", help: "sgd, rmsprop, adagrad, adam or adamw, with Keras defaults (default: the spec's, else adam)"),
        .init(name: "clip", valueName: "POLICY", help: "clipping policy: none, value:C, norm:C, global_norm:C, agc[:λ[:eps]], autoclip[:P], zclip[:Z[:α[:warmup]]] (replaces the spec's clipping)"),
        .init(name: "nonfinite", valueName: "RULE", help: "NaN/inf gradients: propagate (default), skip_step, zero or error"),
        .init(name: "validation-split", valueName: "X", help: "fraction held out for validation, in [0, 1) (default: the spec's, else 0)"),
        .init(name: "split-order", valueName: "shuffled|last", help: "validation samples: a seeded random choice (default), or the last rows of the file as Keras takes them"),
        .init(name: "seed", valueName: "N", help: "seed of the split, initial weights, shuffling and dropout (default: the spec's, else 0)"),
        .init(name: "threads", valueName: "N", help: "threads each large matrix product may use (default: 1; the results do not change)"),
        .init(name: "dtype", valueName: "float32|float64", help: "arithmetic of the training step (default: float32)"),
        .init(name: "weights", valueName: "FILE", help: "start from a gradcheck.weights/1 file instead of seeded initial values"),
        .init(name: "save-weights", valueName: "FILE", help: "write the final weights as gradcheck.weights/1"),
        .init(name: "log", valueName: "RUN.jsonl", help: "write the run log (gradcheck.log/1) line by line as the run goes"),
        .init(name: "report", valueName: "FILE", help: "write the health report at the end; its format follows the extension (.html, .md, .json, else text)"),
        .init(name: "stop-on-nonfinite", valueName: nil, help: "end the run as diverged at the first non-finite loss or gradient (the default)"),
        .init(name: "no-stop-on-nonfinite", valueName: nil, help: "go on through non-finite steps (what --nonfinite says happens to them)"),
    ] + OutputOptions.flags([.text, .json, .markdown])

    static var help: String {
        helpText(usage: "train SPEC --data CSV [options]", description: """
        Trains the model of SPEC on the CSV data: every column but the label is an input feature (as many as
        the model's input_shape holds), standardised with statistics of the training split only; the samples
        are split into training and validation parts with the seed, shuffled each epoch, and trained in
        mini-batches with the optimiser, clipping, epochs, batch size, validation split, seed and early
        stopping of the spec's `training` block; the flags override it. Optimisers follow Keras 3's formulas
        and defaults; `clipnorm`, `clipvalue` and `global_clipnorm` on the optimiser mean what they mean in
        Keras. On a terminal a line per epoch shows the loss, accuracy, validation loss and accuracy, and the
        time per step. With --log the health monitor writes the run log as it goes; with --report it writes
        the health report when the run ends (see `gradcheck report`).

        Exit status: 0 completed or stopped early, 1 diverged or interrupted, 2 bad input.
        """, flags: flags)
    }

    /// What the command settled on before training.
    struct Plan {
        var specPath: String
        var dataPath: String
        var model: Model
        var configuration: TrainingConfiguration
        var data: PreparedData
        var initial: ParameterSet<Double>?
        var format: OutputFormat
        var output: OutputOptions
        var progress: Bool
        var logPath: String?
        var reportPath: String?
        var saveWeightsPath: String?
        var dtype: String
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let specPath = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: [.text, .json, .markdown])
        console.apply(output)
        let format = output.format
        guard let dataPath = args.string("data") else {
            throw CLIError("missing --data CSV: the training data (a header row and a label column)")
        }
        if args.has("stop-on-nonfinite") && args.has("no-stop-on-nonfinite") {
            throw CLIError("give --stop-on-nonfinite or --no-stop-on-nonfinite, not both")
        }
        let dtype = try args.choice("dtype", ["float32", "float64"]) ?? "float32"
        if let threads = try args.int("threads", minimum: 1) { Kernels.threads = threads }
        let spec = try ModelSpec.load(path: specPath)
        let model = try Model(spec: spec, file: specPath)
        var config = TrainingConfiguration(spec.training)
        try applyFlags(args, to: &config)
        let table = try CSVTable.load(path: dataPath)
        let dataset = try Dataset(table: table, label: args.string("label") ?? "label", model: model, file: dataPath)
        let prepared = PreparedData(dataset, validationSplit: config.validationSplit, seed: config.seed, order: config.splitOrder)
        guard prepared.train.count > 0 else {
            throw CLIError("\(dataPath): \(dataset.count) samples leave none for training with validation_split \(config.validationSplit)")
        }
        var initial: ParameterSet<Double>?
        if let path = args.string("weights") {
            let set = ParameterSet(try WeightsFile.load(path: path).parameters)
            _ = try model.orderedTensors(set, file: path)
            initial = set
        }
        let plan = Plan(specPath: specPath, dataPath: dataPath, model: model, configuration: config, data: prepared,
                        initial: initial, format: format, output: output,
                        progress: !output.quiet && output.outputPath == nil && console.outputIsTerminal,
                        logPath: args.string("log"), reportPath: args.string("report"),
                        saveWeightsPath: args.string("save-weights"), dtype: dtype)
        return dtype == "float64" ? try train(plan, as: Double.self, console: console)
                                  : try train(plan, as: Float.self, console: console)
    }

    /// Applies the flags that override the spec's `training` block.
    static func applyFlags(_ args: Arguments, to config: inout TrainingConfiguration) throws {
        if let name = args.string("optimizer") {
            let kinds = OptimizerKind.allCases.map(\.rawValue)
            guard let kind = OptimizerKind(rawValue: name.lowercased()) else {
                let hint = DidYouMean.suggestion(for: name, among: kinds).map { "; did you mean \"\($0)\"?" } ?? ""
                throw CLIError("--optimizer: expected one of \(kinds.joined(separator: ", ")), got \"\(name)\"\(hint)")
            }
            if kind != config.optimizer.kind {
                // Another optimiser: its Keras defaults, keeping the spec's clipping.
                let clipping = config.optimizer.kerasClipping
                config.optimizer = OptimizerSpec(kind: kind)
                config.optimizer.kerasClipping = clipping
            }
        }
        if let lr = try args.double("learning-rate", positive: true) { config.optimizer.learningRate = lr }
        if let text = args.string("clip") {
            do {
                config.clipping = try ClipperParser.parse(text)
            } catch {
                throw CLIError("--clip: \(error)")
            }
            config.optimizer.kerasClipping = nil
        }
        if let rule = try args.choice("nonfinite", NonFiniteRule.names) { config.nonFinite = NonFiniteRule(rawValue: rule)! }
        if let e = try args.int("epochs", minimum: 1) { config.epochs = e }
        if let b = try args.int("batch-size", minimum: 1) { config.batchSize = b }
        if let v = try args.double("validation-split") {
            guard v >= 0 && v < 1 else { throw CLIError("--validation-split: expected a number in [0, 1), got \(v)") }
            config.validationSplit = v
        }
        if let s = try args.seed("seed") { config.seed = s }
        if let order = try args.choice("split-order", Dataset.SplitOrder.allCases.map(\.rawValue)) {
            config.splitOrder = Dataset.SplitOrder(rawValue: order)!
        }
        if args.has("no-stop-on-nonfinite") { config.stopOnNonFinite = false }
    }

    static func train<S: TensorScalar>(_ plan: Plan, as _: S.Type, console: Console) throws -> Int32 {
        let model = plan.model
        let trainer = try Trainer<S>(model: model, configuration: plan.configuration,
                                     parameters: plan.initial.map { converted($0, to: S.self) })
        let progress = ProgressObserver(console: console, enabled: plan.progress, toStandardError: plan.format != .text)
        trainer.observers.append(progress)
        if let early = plan.configuration.earlyStopping, early.monitor.hasPrefix("val_"), plan.data.validation.count == 0 {
            console.err("gradcheck train: warning: early stopping watches \(early.monitor), but there is no validation data"
                        + " (validation_split 0); it will not stop the run")
        }
        // Ctrl-C ends the run after the current step, as `interrupted`, with the run log closed.
        Interrupt.install()
        defer { Interrupt.uninstall() }
        trainer.observers.append(InterruptObserver())
        var health: HealthMonitorObserver?
        if plan.logPath != nil || plan.reportPath != nil {
            let writer = try plan.logPath.map { path throws -> RunLogWriter in
                do { return try RunLogWriter(path: path) } catch { throw CLIError("--log: \(error)") }
            }
            do {
                health = try HealthMonitorObserver(model: model, log: writer,
                                                   stopsOnNonFinite: plan.configuration.stopOnNonFinite)
            } catch {
                throw CLIError("--log: \(error)")
            }
            health!.monitor.onAlert = { alert in
                if plan.progress { console.err("alert: \(alert.message)") }
            }
            trainer.observers.append(health!)
        }
        if plan.progress {
            console.err("training \(model.name) on \(plan.data.train.count) samples"
                        + (plan.data.validation.count > 0 ? ", validating on \(plan.data.validation.count)" : "")
                        + ": \(describe(plan.configuration)), \(plan.dtype)")
        }
        let estimate = TrainingEstimate.measure(model: model, configuration: plan.configuration, data: plan.data, as: S.self)
        if let note = estimate.longRunNote(less: "--epochs N or a larger --batch-size") { console.note(note) }
        let result: TrainingResult<S>
        do {
            result = try trainer.fit(plan.data)
        } catch let error as TrainingError {
            console.err("gradcheck train: \(error.message)")
            return 1
        }
        if let error = health?.error { console.err("gradcheck train: the health monitor stopped recording: \(error)") }
        var reportSummary: String?
        if let path = plan.reportPath, let health {
            let report = health.monitor.report()
            let text: String
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "html", "htm": text = report.html()
            case "md", "markdown": text = report.markdown()
            case "json": text = JSONWriter.pretty.fileContents(for: report.json())
            default: text = report.text()
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CLIError("--report: cannot write \(path): \(FileProblem.reason(error, path: path, writing: true))")
            }
            reportSummary = "\(report.verdict.rawValue) (\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"))"
        }
        if let path = plan.saveWeightsPath {
            let named = zip(model.parameters, try model.orderedTensors(result.parameters)).map { d, t in
                NamedTensor(name: d.name, tensor: t.converted(to: Double.self))
            }
            try WeightsFile(parameters: named).write(to: path)
        }
        switch plan.format {
        case .json:
            try console.emit(JSONWriter.pretty.fileContents(for: json(result, plan: plan, report: reportSummary)), plan.output)
        case .markdown:
            try console.emit(markdown(result, plan: plan, report: reportSummary), plan.output)
        default:
            try console.emit(text(result, plan: plan, progressShown: progress.printedAny, report: reportSummary), plan.output)
        }
        switch result.status {
        case .completed, .stoppedEarly: return 0
        case .diverged, .interrupted: return 1
        }
    }

    static func converted<S: TensorScalar>(_ set: ParameterSet<Double>, to _: S.Type) -> ParameterSet<S> {
        ParameterSet(set.pairs.map { ($0.0, $0.1.converted(to: S.self)) })
    }

    // MARK: - Output

    static func describe(_ c: TrainingConfiguration) -> String {
        var s = "\(c.optimizer.kind.rawValue) (learning rate \(short(c.optimizer.learningRate)))"
        let clip = c.effectiveClipping
        if clip != .none { s += ", clipping \(clipText(clip))" }
        s += ", \(c.epochs) epoch\(c.epochs == 1 ? "" : "s"), batch size \(c.batchSize), seed \(c.seed)"
        return s
    }

    static func clipText(_ spec: ClippingSpec) -> String {
        makeClipper(spec, nonFinite: .propagate).description
    }

    static func metric(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }

    static func stepTime(_ seconds: Double) -> String {
        seconds < 1e-3 ? String(format: "%.0f µs", seconds * 1e6) : String(format: "%.2f ms", seconds * 1e3)
    }

    /// One epoch's progress line.
    static func epochLine(_ e: EpochRecord, of total: Int) -> String {
        let width = String(total).count
        var s = "epoch \(String(e.epoch).leftPadded(to: width))/\(total)  loss \(metric(e.metrics.loss))"
        if let a = e.metrics.accuracy { s += "  accuracy \(metric(a))" }
        if let v = e.metrics.validationLoss { s += "  val_loss \(metric(v))" }
        if let v = e.metrics.validationAccuracy { s += "  val_accuracy \(metric(v))" }
        s += "  \(stepTime(e.meanStepSeconds))/step"
        if e.earlyStopping == .improved { s += "  *" }
        return s
    }

    static func summaryLines(_ r: TrainingResult<some TensorScalar>, plan: Plan, report: String?) -> [String] {
        let e = r.end
        var lines = ["\(e.status.rawValue): \(e.epochs) epoch\(e.epochs == 1 ? "" : "s"), \(e.steps) steps in \(String(format: "%.2f", e.seconds)) s"
                     + (r.history.isEmpty ? "" : " (\(stepTime(meanStep(r)))/step)")]
        if !e.reason.isEmpty { lines.append(e.reason) }
        if let m = r.finalMetrics, let last = r.history.last {
            var s = "\(last.epoch == plan.configuration.epochs ? "final" : "last epoch (\(last.epoch))"): loss \(metric(m.loss))"
            if let a = m.accuracy { s += ", accuracy \(metric(a))" }
            if let v = m.validationLoss { s += ", val_loss \(metric(v))" }
            if let v = m.validationAccuracy { s += ", val_accuracy \(metric(v))" }
            lines.append(s)
        }
        if let best = e.bestEpoch { lines.append("best epoch \(best)" + (e.restoredBestWeights ? " (weights restored)" : "")) }
        if let path = plan.logPath { lines.append("run log: \(path)") }
        if let path = plan.reportPath, let report { lines.append("health report: \(path): \(report)") }
        if let path = plan.saveWeightsPath { lines.append("weights: \(path)") }
        return lines
    }

    static func meanStep(_ r: TrainingResult<some TensorScalar>) -> Double {
        let steps = r.history.reduce(0) { $0 + $1.steps }
        let seconds = r.history.reduce(0) { $0 + $1.meanStepSeconds * Double($1.steps) }
        return steps > 0 ? seconds / Double(steps) : 0
    }

    static func text(_ r: TrainingResult<some TensorScalar>, plan: Plan, progressShown: Bool, report: String?) -> String {
        var out = ""
        if !progressShown {
            out += "gradcheck train \(plan.model.name): \(plan.data.train.count) training"
            out += plan.data.validation.count > 0 ? " / \(plan.data.validation.count) validation samples" : " samples"
            out += " of \(plan.dataPath); \(describe(plan.configuration)), \(plan.dtype)\n"
            for e in r.history { out += epochLine(e, of: plan.configuration.epochs) + "\n" }
        }
        out += summaryLines(r, plan: plan, report: report).joined(separator: "\n") + "\n"
        return out
    }

    static func markdown(_ r: TrainingResult<some TensorScalar>, plan: Plan, report: String?) -> String {
        var out = "## gradcheck train: `\(plan.model.name)`\n\n"
        out += "\(plan.data.train.count) training / \(plan.data.validation.count) validation samples of `\(plan.dataPath)`; "
        out += "\(describe(plan.configuration)), \(plan.dtype).\n\n"
        let rows = r.history.map { e in
            ["\(e.epoch)", metric(e.metrics.loss), metric(e.metrics.accuracy), metric(e.metrics.validationLoss),
             metric(e.metrics.validationAccuracy), stepTime(e.meanStepSeconds)]
        }
        out += markdownTable(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "step time"], rows)
        out += "\n" + summaryLines(r, plan: plan, report: report).map { "- \($0)" }.joined(separator: "\n") + "\n"
        return out
    }

    static func json(_ r: TrainingResult<some TensorScalar>, plan: Plan, report: String?) -> JSONValue {
        func opt(_ x: Double?) -> JSONValue { x.map { .number($0) } ?? .null }
        let c = plan.configuration
        var o: JSONObject = [
            "format": "gradcheck.train/1", "model": .string(plan.model.name), "status": .string(r.status.rawValue),
            "reason": .string(r.end.reason), "epochs": .integer(r.end.epochs), "steps": .integer(r.end.steps),
            "seconds": .number((r.end.seconds * 1000).rounded() / 1000),
            "mean_step_seconds": .number(meanStep(r)), "dtype": .string(plan.dtype),
            "train_samples": .integer(plan.data.train.count), "validation_samples": .integer(plan.data.validation.count),
            "optimizer": c.optimizer.jsonValue, "clipping": c.effectiveClipping.jsonValue,
            "nonfinite": .string(c.nonFinite.rawValue), "batch_size": .integer(c.batchSize),
            "seed": .integer(c.seed), "validation_split": .number(c.validationSplit),
        ]
        if let m = r.finalMetrics {
            o["final"] = .object(["loss": .number(m.loss), "accuracy": opt(m.accuracy), "val_loss": opt(m.validationLoss),
                                  "val_accuracy": opt(m.validationAccuracy)])
        }
        o["best_epoch"] = r.end.bestEpoch.map { .integer($0) } ?? .null
        o["restored_best_weights"] = .bool(r.end.restoredBestWeights)
        o["history"] = .array(r.history.map { e in
            .object(["epoch": .integer(e.epoch), "loss": .number(e.metrics.loss), "accuracy": opt(e.metrics.accuracy),
                     "val_loss": opt(e.metrics.validationLoss), "val_accuracy": opt(e.metrics.validationAccuracy),
                     "seconds": .number(e.seconds), "mean_step_seconds": .number(e.meanStepSeconds)])
        })
        if let path = plan.logPath { o["log"] = .string(path) }
        if let path = plan.reportPath { o["report"] = .string(path) }
        if let report { o["verdict"] = .string(String(report.prefix { $0 != " " })) }
        if let path = plan.saveWeightsPath { o["weights"] = .string(path) }
        return .object(o)
    }
}

/// Prints a line per epoch while training runs (on a terminal).
final class ProgressObserver: TrainingObserver {
    let console: Console
    let enabled: Bool
    let toStandardError: Bool
    var total = 0
    private(set) var printedAny = false

    init(console: Console, enabled: Bool, toStandardError: Bool) {
        self.console = console
        self.enabled = enabled
        self.toStandardError = toStandardError
    }

    func trainingWillBegin(_ run: TrainingRun) { total = run.configuration.epochs }

    func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision {
        guard enabled else { return .proceed }
        let line = TrainCommand.epochLine(epoch, of: total) + "\n"
        if toStandardError { console.err(line) } else { console.out(line) }
        printedAny = !toStandardError
        return .proceed
    }
}

/// A SIGINT during training: the run stops after the step in progress.
enum Interrupt {
    /// `nonisolated(unsafe)` is safe: a `sig_atomic_t` is the one type a signal handler may
    /// write, and the training loop only reads it.
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static func install() {
        requested = 0
        signal(SIGINT) { _ in Interrupt.requested = 1 }
    }

    static func uninstall() { signal(SIGINT, SIG_DFL) }
}

/// Stops the run as `interrupted` once ``Interrupt/requested`` is set.
final class InterruptObserver: TrainingObserver {
    func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision {
        Interrupt.requested != 0 ? .stop(.interrupted, reason: "interrupted (SIGINT) after step \(step.step)") : .proceed
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
