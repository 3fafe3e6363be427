import Foundation
import GradCheck

/// `gradcheck sweep SPEC --data CSV --grid KEY=V1,V2 ...`: a hyperparameter sweep with
/// k-fold cross-validation and the health verdict of every trial (``Sweep`` in
/// GradCheckTraining does the work); `gradcheck sweep --merge FILES...` merges the
/// results files of the shards of one sweep (`gradcheck merge FILES...` comes here for them).
///
/// Exit status: 0 the sweep ran (diverged trials are results), 2 bad input.
enum SweepCommand {
    static let flags: [Arguments.Flag] = [
        .init(name: "data", valueName: "CSV", help: "the data: a header row, one sample per line, a label column (required)"),
        .init(name: "label", valueName: "NAME", help: "the label column (default: label)"),
        .init(name: "grid", valueName: "KEY=V1,V2", help: "an axis: a key in the spec's training block, layers.<name>.<field>, or clipping; none removes the key (repeatable)"),
        .init(name: "random", valueName: "N", help: "train N configurations drawn from the grid without replacement (seeded by --seed)"),
        .init(name: "folds", valueName: "K", help: "K-fold cross-validation as scikit-learn's KFold(shuffle=True, random_state=--seed); 1: one hold-out split (default: 1)"),
        .init(name: "seeds", valueName: "N", help: "trials per configuration and fold, seeds S, S+1, ... (default: 1)"),
        .init(name: "seed", valueName: "S", help: "the first seed, the seed of the folds or hold-out split and of --random (default: the spec's, else 0)"),
        .init(name: "validation-split", valueName: "X", help: "the hold-out fraction with --folds 1 (default: the spec's, else 0.2)"),
        .init(name: "epochs", valueName: "N", help: "passes over the training data in every trial (default: the spec's, else 10)"),
        .init(name: "threads", valueName: "N", help: "trials run at once, in this process (default: every core)"),
        .init(name: "results", valueName: "FILE", help: "JSON Lines of finished trials, one line per trial as it ends; an existing file of the same sweep is resumed"),
        .init(name: "shard", valueName: "K/N", help: "run only the trials numbered K-1 modulo N (merge the shards' --results with --merge)"),
        .init(name: "merge", valueName: nil, help: "the positionals are results files of one sweep's shards: merge them and report (the same as gradcheck merge FILES)"),
        .init(name: "best-spec", valueName: "FILE", help: "write the best configuration's spec to FILE (whole)"),
        .init(name: "html", valueName: "FILE", help: "write the HTML report (heatmaps of the metric and of health over the first two axes)"),
    ] + OutputOptions.flags(OutputFormat.allCases)

    static var help: String {
        helpText(usage: "sweep SPEC --data CSV --grid KEY=V1,V2 [--grid ...] [--folds K] [--seeds N] [--random N] [options]\n       gradcheck sweep --merge PART.jsonl... [--results FILE] [options]", description: """
        Trains the model of SPEC once per configuration of the grid (every combination of the --grid axes'
        values, or --random N of them), seed and fold, in parallel in one process sharing the data, and ranks
        the configurations by the mean validation metric (accuracy for a classifier, else loss) like
        scikit-learn's GridSearchCV. Every trial is also watched by the health monitor: the table gives how
        many trials diverged, the worst health verdict and the findings (vanishing or exploding gradients,
        divergence, plateaus, ...). Each override is written into the spec's JSON and validated again: a key
        or value the spec rejects is bad input, named with its JSON path.

        Keys: a path inside the spec's training block (optimizer.learning_rate, optimizer.clipnorm,
        batch_size), layers.<name>.<field> for a layer (layers.dense_1.kernel_regularizer.l2), or clipping
        (values in the syntax of train --clip; clip-lab is this axis × seeds). none removes the key.

        Exit status: 0 the sweep ran, 2 bad input.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        // --grid repeats; take its values out before the one-value-per-flag parser.
        var rest: [String] = []
        var grids: [String] = []
        var i = 0
        while i < argv.count {
            let a = argv[i]
            if a == "--grid" {
                guard i + 1 < argv.count else { throw CLIError("--grid needs a value (KEY=V1,V2)") }
                grids.append(argv[i + 1])
                i += 2
                continue
            }
            if a.hasPrefix("--grid=") { grids.append(String(a.dropFirst(7))); i += 1; continue }
            if a == "--" { rest.append(contentsOf: argv[i...]); break }
            rest.append(a)
            i += 1
        }
        let args = try Arguments(rest, flags: flags)
        let output = try OutputOptions(args, formats: OutputFormat.allCases)
        console.apply(output)
        let result: SweepResult
        do {
            if args.has("merge") {
                result = try merge(args, grids: grids, console: console)
            } else {
                result = try sweep(args, grids: grids, console: console)
            }
        } catch let error as SweepError {
            throw CLIError(error.message)
        } catch let error as TrainingError {
            throw CLIError(error.message)
        }
        if let path = args.string("best-spec") {
            guard let best = result.best else { throw CLIError("--best-spec: no trial finished") }
            let spec: ModelSpec
            do {
                spec = try result.spec(ofConfiguration: best.index)
            } catch {
                throw CLIError(error.message)
            }
            try spec.write(to: path)
            console.err("sweep: wrote the best spec to \(path)")
        }
        if let path = args.string("html") { try write(result.html(), to: path, flag: "--html", console: console) }
        let text: String
        switch output.format {
        case .json: text = JSONWriter.pretty.fileContents(for: result.json())
        case .markdown: text = result.markdown()
        case .html: text = result.html()
        case .text: text = result.text()
        }
        try console.emit(text, output)
        return 0
    }

    static func sweep(_ args: Arguments, grids: [String], console: Console) throws -> SweepResult {
        let specPath = try args.requirePositionals(["spec"])[0]
        guard let dataPath = args.string("data") else {
            throw CLIError("missing --data CSV: the data (a header row and a label column)")
        }
        let axes = try grids.map { g throws(SweepError) in try SweepAxis.parse(g) }
        var keys = Set<String>()
        for a in axes where !keys.insert(a.key).inserted { throw CLIError("--grid \(a.key) is given more than once") }
        let spec = try ModelSpec.load(path: specPath)
        let model = try Model(spec: spec, file: specPath)
        let firstSeed = try args.seed("seed") ?? spec.training?.seed ?? 0
        let seedCount = try args.int("seeds", minimum: 1) ?? 1
        let folds = try args.int("folds", minimum: 1) ?? 1
        let random = try args.int("random", minimum: 1)
        let threads = try args.int("threads", minimum: 1) ?? SweepExecutor.defaultThreads
        let epochs = try args.int("epochs", minimum: 1)
        var validationSplit: Double?
        if let v = try args.double("validation-split") {
            guard v >= 0 && v < 1 else { throw CLIError("--validation-split: expected a number in [0, 1), got \(v)") }
            validationSplit = v
        }
        let shard = try args.string("shard").map { s throws(ShardError) in try Shard(parsing: s) }
        let table = try CSVTable.load(path: dataPath)
        let dataset = try Dataset(table: table, label: args.string("label") ?? "label", model: model, file: dataPath)
        let plan = SweepPlan(axes: axes, randomCount: random, samplingSeed: firstSeed,
                             seeds: (0..<UInt64(seedCount)).map { firstSeed &+ $0 }, folds: folds)
        let sweep = try Sweep(spec: spec, specFile: specPath, dataset: dataset, plan: plan, epochs: epochs,
                              splitSeed: firstSeed, validationSplit: validationSplit, threads: threads, shard: shard)
        let showProgress = isatty(STDERR_FILENO) == 1
        let count = sweep.trials.count
        if showProgress {
            console.err("sweep: \(plan.gridIndices.count) configurations × \(seedCount) seeds × \(folds) fold(s) = \(plan.trials.count) trials"
                + (shard.map { "; shard \($0): \(count)" } ?? "") + ", \(threads) threads")
        }
        let axisKeys = axes.map(\.key)
        let progress: (@Sendable (SweepTrialResult, Int, Int) -> Void)?
        if showProgress {
            progress = { r, done, total in
                let values = zip(axisKeys, r.values).map { "\($0)=\($1.text)" }.joined(separator: " ")
                let outcome = String(format: "%.4f", r.metric) + (r.diverged ? " diverged" : "")
                let line = "  [\(done)/\(total)] trial \(r.trial.index) \(values) seed \(r.trial.seed) fold \(r.trial.fold): "
                    + "\(outcome), \(r.verdict.rawValue) (" + String(format: "%.1f", r.seconds) + " s)\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
        } else {
            progress = nil
        }
        return try sweep.run(resultsFile: args.string("results"), progress: progress)
    }

    static func merge(_ args: Arguments, grids: [String], console: Console) throws -> SweepResult {
        guard grids.isEmpty, args.string("data") == nil, args.string("shard") == nil else {
            throw CLIError("--merge takes results files only (no --grid, --data or --shard: the files say which sweep they are)")
        }
        let paths = args.positionals
        guard !paths.isEmpty else { throw CLIError("--merge: give the shards' results files (e.g. part-*.jsonl)") }
        let merged = try SweepResultsFile.merge(paths: paths)
        if !merged.missing.isEmpty {
            console.err("sweep --merge: \(merged.missing.count) of \(merged.header.plan.trials.count) trials are in no file "
                + "(first: \(merged.missing.prefix(5).map(String.init).joined(separator: ", "))); the table ranks the others")
        }
        if let path = args.string("results") {
            try SweepResultsFile.write(header: merged.header, results: merged.results, to: path)
            console.err("sweep: wrote \(merged.results.count) trials to \(path)")
        }
        return SweepResult(header: merged.header, results: merged.results)
    }

    static func write(_ text: String, to path: String, flag: String, console: Console) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("\(flag): cannot write \(path): \(FileProblem.reason(error, path: path, writing: true))")
        }
        console.err("sweep: wrote \(path)")
    }
}
