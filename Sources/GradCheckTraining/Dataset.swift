import GradCheckNN
import GradCheckTensor

/// Samples for training or evaluation: per-sample inputs and targets, stored flat in
/// `Double`, row-major, one sample after another.
///
/// Targets are stored in the form the model's loss takes them: a class index per sample
/// for `sparse_categorical_crossentropy` (``targetShape`` `[]`), a one-hot row for
/// `categorical_crossentropy` (`[classes]`), the value itself for the other losses
/// (the model's output shape). ``batch(_:as:)`` turns rows into a tensor and ``Targets``.
///
/// Build one from a CSV table with ``init(table:label:model:file:)``; split it with
/// ``split(validationFraction:seed:order:)`` and standardise it with ``standardizer()``
/// fitted on the training part only (see ``PreparedData``).
public struct Dataset: Sendable, Equatable {
    /// The shape of one input sample (the model's `input_shape`).
    public var sampleShape: [Int]
    /// The shape of one target: `[]` for a class index, else the model's output shape.
    public var targetShape: [Int]
    /// The inputs, `count × featureWidth` values.
    public var inputs: [Double]
    /// The targets, `count × targetWidth` values.
    public var targets: [Double]
    /// The names of the input columns, when the data came from a table.
    public var featureNames: [String]
    /// Whether targets are class indices (sparse categorical cross-entropy).
    public var targetsAreLabels: Bool

    /// The number of samples.
    public var count: Int { featureWidth == 0 ? 0 : inputs.count / featureWidth }
    /// Values per input sample.
    public var featureWidth: Int { sampleShape.reduce(1, *) }
    /// Values per target.
    public var targetWidth: Int { targetShape.reduce(1, *) }

    /// A dataset from flat values.
    ///
    /// - Precondition: `inputs.count` and `targets.count` are the same multiple of the
    ///   per-sample sizes.
    public init(sampleShape: [Int], inputs: [Double], targetShape: [Int], targets: [Double],
                targetsAreLabels: Bool, featureNames: [String] = []) {
        let fw = sampleShape.reduce(1, *), tw = targetShape.reduce(1, *)
        precondition(fw > 0 && inputs.count % fw == 0 && targets.count == inputs.count / fw * tw,
                     "Dataset: \(inputs.count) input values and \(targets.count) target values do not fit \(sampleShape) → \(targetShape)")
        self.sampleShape = sampleShape
        self.targetShape = targetShape
        self.inputs = inputs
        self.targets = targets
        self.targetsAreLabels = targetsAreLabels
        self.featureNames = featureNames
    }

    /// The rows of a CSV table for `model`: every column but `label` is an input feature
    /// (in table order, reshaped to the model's `input_shape`), `label` is the target.
    ///
    /// Features may be NaN or infinite (they are the data; a run on them shows where the
    /// non-finite values go). Labels must fit the loss: an integer class in
    /// `0..<classes` for the categorical cross-entropies, 0 or 1 for binary
    /// cross-entropy, a finite number otherwise.
    ///
    /// - Throws: ``SpecError`` naming the file and what was expected: a missing label
    ///   column (with a did-you-mean), a feature count that is not the model's input size,
    ///   a model whose output is not one value (or one row of classes) per sample, or a
    ///   bad label (`line N, column "label"`).
    public init(table: CSVTable, label: String = "label", model: Model, file: String? = nil) throws(SpecError) {
        let (features, labels, names) = try table.split(label: label, file: file)
        let width = model.inputShape.reduce(1, *)
        let have = names.count
        guard have == width else {
            throw SpecError(file: file, message:
                "the CSV has \(have) feature column\(have == 1 ? "" : "s") besides \"\(label)\", but the model's input_shape \(model.inputShape) takes \(width) value\(width == 1 ? "" : "s") per sample")
        }
        guard !features.isEmpty else { throw SpecError(file: file, message: "the CSV has a header but no rows") }
        let out = model.outputShape
        let kind = model.loss.spec.kind
        var targets: [Double] = []
        let targetShape: [Int]
        let isLabels: Bool
        func bad(_ row: Int, _ expected: String, _ value: Double) -> SpecError {
            SpecError(file: file, path: "line \(row + 2), column \"\(label)\"", message: "expected \(expected), got \(value)")
        }
        switch kind {
        case .sparseCategoricalCrossentropy, .categoricalCrossentropy:
            guard out.count == 1 else {
                throw SpecError(file: file, message: "the CSV gives one label per row, but the model's output per sample is \(out); expected [classes]")
            }
            let classes = out[0]
            isLabels = kind == .sparseCategoricalCrossentropy
            targetShape = isLabels ? [] : [classes]
            targets.reserveCapacity(labels.count * (isLabels ? 1 : classes))
            for (i, l) in labels.enumerated() {
                guard l.isFinite, l == l.rounded(), l >= 0, l < Double(classes) else {
                    throw bad(i, "a class index, an integer in 0..<\(classes)", l)
                }
                if isLabels {
                    targets.append(l)
                } else {
                    for c in 0..<classes { targets.append(c == Int(l) ? 1 : 0) }
                }
            }
        default:
            guard out == [1] else {
                throw SpecError(file: file, message: "the CSV gives one label per row, but the model has \(out) outputs per sample; expected [1]")
            }
            isLabels = false
            targetShape = [1]
            for (i, l) in labels.enumerated() {
                if kind == .binaryCrossentropy {
                    guard l >= 0 && l <= 1 else { throw bad(i, "a binary target in [0, 1]", l) }
                } else {
                    guard l.isFinite else { throw bad(i, "a finite target", l) }
                }
                targets.append(l)
            }
        }
        var flat: [Double] = []
        flat.reserveCapacity(features.count * width)
        for row in features { flat.append(contentsOf: row) }
        self.init(sampleShape: model.inputShape, inputs: flat, targetShape: targetShape, targets: targets,
                  targetsAreLabels: isLabels, featureNames: names)
    }

    /// The samples at `indices`, in that order.
    public func subset<C: Collection>(_ indices: C) -> Dataset where C.Element == Int {
        let fw = featureWidth, tw = targetWidth
        var x: [Double] = [], y: [Double] = []
        x.reserveCapacity(indices.count * fw)
        y.reserveCapacity(indices.count * tw)
        for i in indices {
            x.append(contentsOf: inputs[(i * fw)..<((i + 1) * fw)])
            y.append(contentsOf: targets[(i * tw)..<((i + 1) * tw)])
        }
        return Dataset(sampleShape: sampleShape, inputs: x, targetShape: targetShape, targets: y,
                       targetsAreLabels: targetsAreLabels, featureNames: featureNames)
    }

    /// How ``split(validationFraction:seed:order:)`` chooses the validation samples.
    public enum SplitOrder: String, Sendable, CaseIterable {
        /// A seeded random permutation, then the last part (default): works on files
        /// sorted by class, such as `iris.csv`.
        case shuffled
        /// The last samples of the file, unshuffled, as Keras' `validation_split` does
        /// ("selected from the last samples in the x and y data provided, before shuffling").
        case last
    }

    /// Splits off a validation part of `floor(count · validationFraction)` samples.
    ///
    /// The training part keeps `count − floor(count · fraction)` samples, as Keras' split
    /// (`split_at = floor(n · (1 − validation_split))`) does up to rounding.
    ///
    /// - Parameters:
    ///   - validationFraction: in [0, 1).
    ///   - seed: the seed of the permutation (``SplitOrder/shuffled``), stream `"validation split"`.
    public func split(validationFraction: Double, seed: UInt64, order: SplitOrder = .shuffled) -> (train: Dataset, validation: Dataset) {
        let n = count
        let fraction = Swift.min(Swift.max(validationFraction, 0), 1)
        let validationCount = Swift.min(Int((Double(n) * fraction).rounded(.down)), n)
        var indices = Array(0..<n)
        if order == .shuffled {
            var rng = SeededRNG(seed: seed, name: "validation split")
            indices.seededShuffle(using: &rng)
        }
        let trainCount = n - validationCount
        return (subset(indices[0..<trainCount]), subset(indices[trainCount..<n]))
    }

    /// A standardiser fitted on this dataset's inputs, per input value (column): the mean
    /// and population standard deviation of its **finite** values. A column with no spread
    /// (or no finite value) is centred but not scaled. NaN and infinite inputs stay what
    /// they are after ``standardized(with:)``, so a planted NaN stays in its one row.
    public func standardizer() -> Standardizer {
        let fw = featureWidth, n = count
        var means = [Double](repeating: 0, count: fw)
        var counts = [Int](repeating: 0, count: fw)
        inputs.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for j in 0..<fw where x[r * fw + j].isFinite {
                    means[j] += x[r * fw + j]
                    counts[j] += 1
                }
            }
            for j in 0..<fw { means[j] = counts[j] > 0 ? means[j] / Double(counts[j]) : 0 }
        }
        var variances = [Double](repeating: 0, count: fw)
        inputs.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for j in 0..<fw where x[r * fw + j].isFinite {
                    let d = x[r * fw + j] - means[j]
                    variances[j] += d * d
                }
            }
        }
        var s = Standardizer(fitting: [])
        s.means = means
        s.scales = (0..<fw).map { j in
            let sd = counts[j] > 0 ? (variances[j] / Double(counts[j])).squareRoot() : 0
            return sd > 0 && sd.isFinite ? sd : 1
        }
        return s
    }

    /// The dataset with every input standardised: `(x − mean) / scale` per input value.
    ///
    /// - Precondition: `standardizer` has one mean per input value.
    public func standardized(with standardizer: Standardizer) -> Dataset {
        let fw = featureWidth
        precondition(standardizer.means.count == fw, "standardized(with:): \(standardizer.means.count) columns for \(fw) input values")
        var copy = self
        copy.inputs.withUnsafeMutableBufferPointer { x in
            var i = 0
            while i < x.count {
                for j in 0..<fw { x[i + j] = (x[i + j] - standardizer.means[j]) / standardizer.scales[j] }
                i += fw
            }
        }
        return copy
    }

    /// The sample order of one epoch: a seeded permutation of `0..<count` (stream
    /// `"shuffle epoch E"` of `seed`), or `0..<count` in order when `shuffle` is false.
    public func epochOrder(epoch: Int, seed: UInt64, shuffle: Bool = true) -> [Int] {
        var order = Array(0..<count)
        if shuffle {
            var rng = SeededRNG(seed: seed, name: "shuffle epoch \(epoch)")
            order.seededShuffle(using: &rng)
        }
        return order
    }

    /// The batches of one epoch: consecutive runs of `batchSize` positions of `order`, the
    /// last one shorter when `batchSize` does not divide the count (Keras keeps it too).
    public static func batches(of order: [Int], batchSize: Int) -> [ArraySlice<Int>] {
        precondition(batchSize > 0)
        return stride(from: 0, to: order.count, by: batchSize).map { order[$0..<Swift.min($0 + batchSize, order.count)] }
    }

    /// The samples at `indices` as a batch: inputs `[batch] + sampleShape` and targets in
    /// the loss's form.
    public func batch<C: Collection, S: TensorScalar>(_ indices: C, as _: S.Type = S.self) -> (inputs: Tensor<S>, targets: Targets<S>)
    where C.Element == Int {
        let fw = featureWidth, tw = targetWidth
        var x = [S]()
        x.reserveCapacity(indices.count * fw)
        for i in indices { for j in 0..<fw { x.append(S(inputs[i * fw + j])) } }
        let inputsTensor = Tensor<S>(unchecked: [indices.count] + sampleShape, scalars: x)
        if targetsAreLabels {
            return (inputsTensor, .labels(indices.map { Int(targets[$0]) }))
        }
        var y = [S]()
        y.reserveCapacity(indices.count * tw)
        for i in indices { for j in 0..<tw { y.append(S(targets[i * tw + j])) } }
        return (inputsTensor, .values(Tensor<S>(unchecked: [indices.count] + targetShape, scalars: y)))
    }
}

/// A dataset split for training: the standardised training and validation parts and
/// the standardiser, fitted on the training part only.
public struct PreparedData: Sendable, Equatable {
    /// The training samples, standardised.
    public var train: Dataset
    /// The validation samples, standardised with the training statistics (empty when
    /// the validation fraction is 0).
    public var validation: Dataset
    /// The per-column statistics of the training inputs.
    public var standardizer: Standardizer?

    /// Splits `data` (``Dataset/split(validationFraction:seed:order:)``) and, with
    /// `standardize`, fits a ``Standardizer`` on the training part and applies it to both.
    public init(_ data: Dataset, validationSplit: Double, seed: UInt64, order: Dataset.SplitOrder = .shuffled,
                standardize: Bool = true) {
        let (train, validation) = data.split(validationFraction: validationSplit, seed: seed, order: order)
        if standardize {
            let s = train.standardizer()
            self.train = train.standardized(with: s)
            self.validation = validation.standardized(with: s)
            self.standardizer = s
        } else {
            self.train = train
            self.validation = validation
            self.standardizer = nil
        }
    }

    /// Parts given directly.
    public init(train: Dataset, validation: Dataset, standardizer: Standardizer? = nil) {
        self.train = train
        self.validation = validation
        self.standardizer = standardizer
    }
}

extension Array {
    /// Fisher–Yates from the back with ``SeededRNG/index(below:)``: the same permutation
    /// on every platform and Swift version (unlike `shuffle(using:)`, whose algorithm the
    /// standard library does not promise).
    mutating func seededShuffle(using rng: inout SeededRNG) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            swapAt(i, rng.index(below: i + 1))
        }
    }
}
