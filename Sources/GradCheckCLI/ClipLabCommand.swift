import Foundation
import GradCheck

/// `gradcheck clip-lab SPEC --data CSV --policies none,value:1,... --seeds 5`: the same
/// training under each clipping policy and seed, summarised per policy
/// (``ClippingLab`` in GradCheckTraining does the work).
///
/// Exit status: 0 when the lab ran (diverged runs are results, not failures), 2 on bad input.
enum ClipLabCommand {
    static let defaultPolicies = "none,value:1,norm:1,global_norm:1,agc:0.01,autoclip:10"

    static let flags: [Arguments.Flag] = [
        .init(name: "data", valueName: "CSV", help: "the training data: a header row, one sample per line, a label column (required)"),
        .init(name: "label", valueName: "NAME", help: "the label column (default: label)"),
        .init(name: "policies", valueName: "LIST", help: "comma-separated clipping policies (default: \(defaultPolicies))"),
        .init(name: "seeds", valueName: "N", help: "runs per policy, seeds S, S+1, ... (default: 5)"),
        .init(name: "seed", valueName: "S", help: "the first seed, and the seed of the validation split (default: the spec's, else 0)"),
        .init(name: "epochs", valueName: "N", help: "passes over the training data (default: the spec's, else 10)"),
        .init(name: "batch-size", valueName: "N", help: "samples per step (default: the spec's, else 32)"),
        .init(name: "learning-rate", valueName: "X", help: "the optimiser's learning rate (default: the spec's)"),
        .init(name: "optimizer", valueName: "NAME", help: "sgd, rmsprop, adagrad, adam or adamw, with Keras defaults (default: the spec's)"),
        .init(name: "validation-split", valueName: "X", help: "fraction held out for validation, in [0, 1) (default: the spec's, else 0)"),
        .init(name: "target-loss", valueName: "L", help: "report the steps until the smoothed loss reaches L (default: the median final loss of the runs that did not diverge)"),
        .init(name: "threads", valueName: "N", help: "runs at once (default: one per core; the results do not change)"),
    ] + OutputOptions.flags(OutputFormat.allCases)

    static var help: String {
        helpText(usage: "clip-lab SPEC --data CSV [--policies LIST] [--seeds N] [options]", description: """
        Trains the model of SPEC on the CSV data once per clipping policy and seed, and compares the policies:
        seeds that diverged, final and best loss and accuracy (median and min–max over seeds; the validation
        part when there is one), how often the policy clipped, the cosine between the clipped and the raw
        gradient when it did, the median gradient norm before and after clipping, and the steps until the
        loss reaches a target. Every policy trains on the same split; a seed fixes the initial weights and
        the batch order, so for each seed all policies start from the same weights. The spec's `training`
        block gives the optimiser, epochs and batch size (the flags override it); its clipping is replaced
        by each policy. --format html writes one self-contained page with each policy's loss curve.

        Exit status: 0 the lab ran, 2 bad input.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let specPath = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: OutputFormat.allCases)
        console.apply(output)
        let format = output.format.rawValue
        guard let dataPath = args.string("data") else {
            throw CLIError("missing --data CSV: the training data (a header row and a label column)")
        }
        let policies: [ClippingSpec]
        do {
            policies = try ClipperParser.parseList(args.string("policies") ?? defaultPolicies)
        } catch {
            throw CLIError("--policies: \(error)")
        }
        let seedCount = try args.int("seeds", minimum: 1) ?? 5
        let target = try args.double("target-loss")
        let spec = try ModelSpec.load(path: specPath)
        let model = try Model(spec: spec, file: specPath)
        var config = TrainingConfiguration(spec.training)
        try TrainCommand.applyFlags(args, to: &config)
        let table = try CSVTable.load(path: dataPath)
        let dataset = try Dataset(table: table, label: args.string("label") ?? "label", model: model, file: dataPath)
        let prepared = PreparedData(dataset, validationSplit: config.validationSplit, seed: config.seed, order: config.splitOrder)
        guard prepared.train.count > 0 else {
            throw CLIError("\(dataPath): \(dataset.count) samples leave none for training with validation_split \(config.validationSplit)")
        }
        var labConfiguration = ClippingLab.Configuration(
            training: config, policies: policies, seedCount: seedCount, targetLoss: target)
        labConfiguration.threads = try args.int("threads", minimum: 1)
        let lab = ClippingLab(model: model, data: prepared, configuration: labConfiguration)
        let estimate = TrainingEstimate.measure(
            model: model, configuration: config, data: prepared, runs: policies.count * seedCount,
            parallel: labConfiguration.parallel ? (labConfiguration.threads ?? SweepExecutor.defaultThreads) : 1, as: Float.self)
        if let note = estimate.longRunNote(less: "--epochs N, --seeds N or fewer --policies") { console.note(note) }
        let progress = console.progress("clip-lab: \(policies.count) policies × \(seedCount) seeds")
        let result: ClippingLabResult
        do {
            result = try lab.run { done, total in progress.update(done: done, total: total, unit: "runs") }
        } catch let error as TrainingError {
            progress.finish()
            throw CLIError(error.message)
        }
        progress.finish()
        let text: String
        switch format {
        case "json": text = JSONWriter.pretty.fileContents(for: result.json())
        case "markdown": text = result.markdown()
        case "html": text = result.html()
        default: text = result.text()
        }
        try console.emit(text, output)
        return 0
    }
}
