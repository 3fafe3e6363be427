import GradCheck

/// What every command loads: the spec and model, the parameters (a weights file or
/// seeded initial values), and a batch (a batch file, rows of a CSV, or random).
struct ModelSession {
    var specPath: String
    var model: Model
    var parameters: ParameterSet<Double>
    var inputs: Tensor<Double>
    var targets: Targets<Double>
    var targetTensor: Tensor<Double>
    var seed: UInt64
    var batchDescription: String

    /// The most numbers a parameter set or a batch may hold (8 GiB of float64): larger ones
    /// are refused as bad input instead of trapping when allocated.
    static let maximumElements = 1 << 30

    /// The flags this loader reads.
    static let flags: [Arguments.Flag] = [
        .init(name: "weights", valueName: "FILE", help: "parameters from a gradcheck.weights/1 file (default: seeded initial values)"),
        .init(name: "batch", valueName: "FILE", help: "the batch from a gradcheck.batch/1 file"),
        .init(name: "data", valueName: "CSV", help: "take the batch from rows of a CSV file (header row, a label column; features standardised)"),
        .init(name: "label", valueName: "NAME", help: "the label column of --data (default: label)"),
        .init(name: "batch-size", valueName: "N", help: "rows of a random or --data batch (default: 8)"),
        .init(name: "seed", valueName: "N", help: "seed for initial weights, random batches, row choice and dropout masks (default: 0)"),
    ]

    /// Loads everything `args` names.
    ///
    /// - Throws: ``SpecError``, ``ModelError`` or ``CLIError``, each naming the file and place.
    init(_ args: Arguments, specPath: String) throws {
        self.specPath = specPath
        let spec = try ModelSpec.load(path: specPath)
        model = try Model(spec: spec, file: specPath)
        seed = try args.seed("seed") ?? 0
        let parameterCount = model.parameters.reduce(0) { $0 + $1.count }
        guard parameterCount <= Self.maximumElements else {
            throw ModelError(file: specPath, path: "",
                "the model has \(parameterCount) parameters, more than this tool holds in memory (\(Self.maximumElements))")
        }
        if let path = args.string("weights") {
            let file = try WeightsFile.load(path: path)
            let set = ParameterSet(file.parameters)
            _ = try model.orderedTensors(set, file: path)
            parameters = set
        } else {
            parameters = model.initialParameters(seed: seed)
        }
        if args.string("batch") != nil && args.string("data") != nil {
            throw CLIError("give --batch or --data, not both")
        }
        let batchSize = try args.int("batch-size", minimum: 1) ?? 8
        // The widest per-sample tensor the forward pass holds (inputs or a layer's output).
        let widest = ([model.inputShape] + model.layers.map(\.outputShape)).map { $0.reduce(1, *) }.max() ?? 1
        guard batchSize <= Self.maximumElements / max(widest, 1) else {
            throw CLIError("--batch-size \(batchSize): \(batchSize) samples × \(widest) values (the widest layer) is more than this tool holds in memory (\(Self.maximumElements))")
        }
        if let path = args.string("batch") {
            if args.string("batch-size") != nil { throw CLIError("--batch-size does not apply to --batch (the file sets the batch)") }
            let file = try BatchFile.load(path: path)
            inputs = try model.packInputs(file.namedInputs, file: path)
            targetTensor = file.targets
            targets = try model.targets(from: file.targets, batchSize: inputs.shape[0], file: path)
            batchDescription = path
        } else if let path = args.string("data") {
            let table = try CSVTable.load(path: path)
            let (features, labels, _) = try table.split(label: args.string("label") ?? "label", file: path)
            let width = model.inputShape.reduce(1, *)
            guard features.first?.count == width else {
                let takes = model.inputs.count == 1 ? "input_shape \(model.inputShape)"
                    : "inputs (\(model.inputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")), in that order)"
                throw ModelError(file: path, path: "",
                    "the CSV has \(features.first?.count ?? 0) feature columns, but the model's \(takes) takes \(width)")
            }
            // Token ids (integer inputs) are used as they are, not standardised.
            var scaler = Standardizer(fitting: features)
            for input in model.inputs where input.isInteger {
                for j in input.range { scaler.means[j] = 0; scaler.scales[j] = 1 }
            }
            let standardized = model.takesIndices ? features : scaler.transform(features)
            var rng = SeededRNG(seed: seed, name: "batch rows")
            let count = min(batchSize, features.count)
            var pool = Array(0..<features.count)
            for i in 0..<count { pool.swapAt(i, i + rng.index(below: pool.count - i)) }
            let chosen = pool[0..<count]
            inputs = Tensor(unchecked: [count] + model.inputShape, scalars: chosen.flatMap { standardized[$0] })
            try model.checkInputs(inputs, file: path)
            targetTensor = try Self.targetTensor(labels: chosen.map { labels[$0] }, model: model, file: path)
            targets = try model.targets(from: targetTensor, batchSize: count, file: path)
            batchDescription = "\(count) rows of \(path)"
        } else {
            var rng = SeededRNG(seed: seed, name: "random batch")
            // Each input in order: token ids uniform in 0..<input_dim, float values normal.
            let m = model
            inputs = m.packInputs(m.inputs.indices.map { k -> Tensor<Double> in
                let input = m.inputs[k]
                let count = batchSize * input.count
                if let limit = m.idLimit(ofInput: k) {
                    return Tensor(unchecked: [batchSize] + input.shape,
                                  scalars: (0..<count).map { _ in Double(rng.index(below: limit)) })
                }
                return Tensor(unchecked: [batchSize] + input.shape, scalars: (0..<count).map { _ in rng.normal() })
            })
            targetTensor = Self.randomTargets(model: model, batchSize: batchSize, rng: &rng)
            targets = try model.targets(from: targetTensor, batchSize: batchSize)
            batchDescription = "random batch of \(batchSize) (seed \(seed))"
        }
        guard inputs.isFinite else {
            throw CLIError("the batch's inputs contain NaN or infinity: gradients cannot be checked there")
        }
    }

    /// Targets for CSV labels in the form the loss takes (class index, one-hot, 0/1, value).
    static func targetTensor(labels: [Double], model: Model, file: String) throws -> Tensor<Double> {
        let out = model.outputShape
        guard out.count == 1 else {
            throw ModelError(file: file, path: "", "--data gives one label per row, but the model's output per sample is \(out)")
        }
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy:
            return Tensor(unchecked: [labels.count], scalars: labels)
        case .categoricalCrossentropy:
            let classes = out[0]
            var values = [Double](repeating: 0, count: labels.count * classes)
            for (i, l) in labels.enumerated() {
                guard l == l.rounded(), l >= 0, l < Double(classes) else {
                    throw ModelError(file: file, path: "row \(i + 2) label", "expected a class index in 0..<\(classes), got \(l)")
                }
                values[i * classes + Int(l)] = 1
            }
            return Tensor(unchecked: [labels.count, classes], scalars: values)
        default:
            guard out[0] == 1 else {
                throw ModelError(file: file, path: "", "--data gives one label per row, but the model has \(out[0]) outputs")
            }
            return Tensor(unchecked: [labels.count, 1], scalars: labels)
        }
    }

    /// Seeded targets that fit the loss: uniform classes, one-hot, 0/1, or normal values.
    static func randomTargets(model: Model, batchSize: Int, rng: inout SeededRNG) -> Tensor<Double> {
        let out = model.outputShape
        let classes = out.last ?? 1
        let positions = batchSize * out.dropLast().reduce(1, *)
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy:
            return Tensor(unchecked: [batchSize] + out.dropLast(),
                          scalars: (0..<positions).map { _ in Double(rng.index(below: classes)) })
        case .categoricalCrossentropy:
            var values = [Double](repeating: 0, count: positions * classes)
            for p in 0..<positions { values[p * classes + rng.index(below: classes)] = 1 }
            return Tensor(unchecked: [batchSize] + out, scalars: values)
        case .binaryCrossentropy:
            return Tensor(unchecked: [batchSize] + out, scalars: (0..<(positions * classes)).map { _ in Double(rng.index(below: 2)) })
        default:
            return Tensor(unchecked: [batchSize] + out, scalars: (0..<(positions * classes)).map { _ in rng.normal() })
        }
    }
}
