import _Differentiation
import Foundation
import GradCheck

/// A classification dataset: standardised feature rows and integer labels.
public struct LabelledData: Sendable {
    public var features: [[Double]]
    public var labels: [Int]
    public var classes: Int

    /// Reads a CSV with a `label` column and standardises the features.
    public static func load(path: String) throws -> LabelledData {
        let table = try CSVTable.load(path: path)
        let (features, labels, _) = try table.split(label: "label")
        let ints = labels.map { Int($0) }
        return LabelledData(features: Standardizer(fitting: features).transform(features), labels: ints,
                       classes: (ints.max() ?? 0) + 1)
    }

    /// `Fixtures/data/iris.csv` of the GradCheck checkout this example lives in.
    public static var irisPath: String {
        URL(fileURLWithPath: #filePath)  // Examples/OwnLoop/Sources/OwnLoop/Training.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/data/iris.csv").path
    }
}

/// How one run is set up.
public struct RunSettings: Sendable {
    public var name: String
    public var hidden: [Int]
    public var activation: Nonlinearity
    /// The initial weights' range (`±scale`); `nil` for Glorot uniform.
    public var initScale: Double?
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// The `global_norm` clipping threshold.
    public var clipNorm: Double
    public var seed: UInt64

    /// A one-hidden-layer tanh MLP with Glorot initialisation: trains well.
    public static let healthy = RunSettings(name: "iris-tanh-mlp", hidden: [16], activation: .tanh, initScale: nil,
                                            epochs: 30, batchSize: 16, learningRate: 0.1, clipNorm: 1, seed: 1)
    /// Eight sigmoid layers with weights in ±0.1: the gradient fades layer by layer.
    public static let deepSigmoid = RunSettings(name: "iris-deep-sigmoid", hidden: Array(repeating: 16, count: 8),
                                                activation: .sigmoid, initScale: 0.1, epochs: 30, batchSize: 16,
                                                learningRate: 0.1, clipNorm: 1, seed: 1)

    /// The model, freshly initialised.
    public func model(inputs: Int, classes: Int) -> MLP {
        var generator = SplitMix(seed: seed)
        var layers: [Dense] = []
        var width = inputs
        for units in hidden {
            layers.append(Dense(inputs: width, units: units, activation: activation, scale: initScale, generator: &generator))
            width = units
        }
        layers.append(Dense(inputs: width, units: classes, activation: .linear, scale: initScale, generator: &generator))
        return MLP(layers: layers)
    }
}

/// What a run produced.
public struct RunResult {
    public var report: HealthReport
    public var logPath: String
    public var reportPath: String
    public var finalLoss: Double
    public var validationAccuracy: Double
    /// The fraction of steps on which clipping triggered.
    public var clipRate: Double
}

/// Trains `settings` on `data` by hand (`valueWithGradient` and plain SGD), monitored and
/// clipped with GradCheck; writes `NAME.jsonl` (the run log) and `NAME.html` (the health
/// report) into `directory`. The lines marked `GradCheck` are all that monitoring and
/// clipping add to the loop.
public func train(_ settings: RunSettings, on data: LabelledData, directory: String) throws -> RunResult {
    var generator = SplitMix(seed: settings.seed)
    var order = Array(data.labels.indices)
    for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
    let validationCount = data.labels.count / 5
    let validation = Array(order.prefix(validationCount)), training = Array(order.dropFirst(validationCount))
    func batch(_ rows: ArraySlice<Int>) -> (x: [Double], y: [Int]) {
        (rows.flatMap { data.features[$0] }, rows.map { data.labels[$0] })
    }
    let inputs = data.features[0].count
    var model = settings.model(inputs: inputs, classes: data.classes)

    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let logPath = directory + "/\(settings.name).jsonl", reportPath = directory + "/\(settings.name).html"

    // GradCheck: a monitor that writes the run log as it goes, and a clipping policy.
    let monitor = try HealthMonitor(model: settings.name, parameters: model.runParameters, layers: model.runLayers,
                                    log: RunLogWriter(path: logPath))
    var clipper = makeClipper(.globalNorm(maxNorm: settings.clipNorm))

    var clipped = 0, steps = 0
    var lastLoss = Double.nan
    training: for _ in 1...settings.epochs {
        var samples = training
        for i in stride(from: samples.count - 1, to: 0, by: -1) { samples.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        var epochLoss = 0.0, batches = 0
        for start in stride(from: 0, to: samples.count, by: settings.batchSize) {
            let (x, y) = batch(samples[start..<min(start + settings.batchSize, samples.count)])
            let (loss, gradient) = valueWithGradient(at: model) { m in m.loss(x, labels: y) }
            var gradients = arrays(of: gradient)
            let raw = named(model.parameterNames, gradients)

            let clip = try clipper.clip(&gradients)                                      // GradCheck
            let updates = model.descend(along: gradients, learningRate: settings.learningRate)

            try monitor.recordStep(                                                      // GradCheck
                loss: loss, gradients: raw,
                parameters: monitor.measuresWeights ? named(model.parameterNames, model.arrays) : [:],
                updates: monitor.measuresWeights ? named(model.parameterNames, updates) : [:],
                gradNorm: clip.normBefore, clippedGradNorm: clip.normAfter,
                learningRate: settings.learningRate,
                activations: monitor.measuresActivations ? named(model.layerNames, model.outputs(x)) : [:])
            if monitor.hasGoneNonfinite { break training }                               // GradCheck

            clipped += clip.triggered ? 1 : 0
            steps += 1
            epochLoss += loss
            batches += 1
            lastLoss = loss
        }
        let (vx, vy) = batch(validation[...])
        let valAccuracy = accuracy(model, vx, vy, classes: data.classes)
        try monitor.recordEpoch(loss: epochLoss / Double(max(batches, 1)),              // GradCheck
                                valLoss: model.loss(vx, labels: vy), valAccuracy: valAccuracy)
    }
    try monitor.finish(status: monitor.hasGoneNonfinite ? .diverged : .completed)        // GradCheck
    let report = monitor.report()                                                        // GradCheck
    try report.html().write(toFile: reportPath, atomically: true, encoding: .utf8)       // GradCheck

    let (vx, vy) = batch(validation[...])
    return RunResult(report: report, logPath: logPath, reportPath: reportPath, finalLoss: lastLoss,
                     validationAccuracy: accuracy(model, vx, vy, classes: data.classes),
                     clipRate: steps > 0 ? Double(clipped) / Double(steps) : 0)
}

/// The fraction of `y` the model's arg-max predicts.
public func accuracy(_ model: MLP, _ x: [Double], _ y: [Int], classes: Int) -> Double {
    let logits = model.logits(x)
    var correct = 0
    for n in y.indices {
        let row = logits[(n * classes)..<((n + 1) * classes)]
        if row.firstIndex(of: row.max()!)! - n * classes == y[n] { correct += 1 }
    }
    return y.isEmpty ? 0 : Double(correct) / Double(y.count)
}
