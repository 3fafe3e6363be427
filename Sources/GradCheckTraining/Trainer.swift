import Foundation
import GradCheckAutograd
import GradCheckClipping
import GradCheckHealth
import GradCheckNN
import GradCheckTensor

/// Trains a ``Model`` on a ``Dataset``: epochs of shuffled mini-batches, each a forward
/// and backward pass on a tape, the clipping stage, and an optimiser step, with
/// validation and early stopping after each epoch and ``TrainingObserver``s watching.
///
/// `Scalar` is the arithmetic: `Float` for speed (the default of the CLI), `Double` when
/// the numbers must match a float64 reference. The same seed gives the same numbers:
/// the initial weights, each epoch's order and each step's dropout masks are drawn from
/// named streams of ``TrainingConfiguration/seed``.
///
/// ```swift
/// let model = try Model(spec: spec)
/// let data = PreparedData(try Dataset(table: table, model: model), validationSplit: 0.2, seed: 42)
/// let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(spec.training))
/// let result = try trainer.fit(data)
/// print(result.history.last!.metrics.validationAccuracy!)
/// ```
///
/// Custom loops call ``step(inputs:targets:epoch:)`` instead of ``fit(_:)``.
///
/// Layers with state (batch-normalisation moving statistics) are updated by
/// ``stateUpdater`` once per applied step, from the step's batch and the weights before
/// the update, as Keras does in the layer's training call.
///
/// A trainer is not thread-safe: use it from one thread.
public final class Trainer<Scalar: TensorScalar> {
    /// The model.
    public let model: Model
    /// The configuration.
    public let configuration: TrainingConfiguration
    /// The optimiser; replace it (or change its learning rate) between steps at will.
    public var optimizer: any Optimizer<Scalar>
    /// The observers, called in order.
    public var observers: [any TrainingObserver] = []
    /// Updates non-trainable state (moving statistics) for one step: it receives every
    /// parameter of the model in model order (to update in place), the step's inputs and
    /// its forward context. `nil` when the model has no non-trainable parameters.
    public var stateUpdater: ((inout [Tensor<Scalar>], Tensor<Scalar>, ForwardContext) -> Void)?

    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// Epochs finished so far (by ``fit(_:)``).
    public private(set) var epochCount = 0

    /// Every parameter of the model, in model order (trainable or not).
    public private(set) var values: [Tensor<Scalar>]
    /// The positions of the trainable parameters in ``values``.
    public let trainableIndices: [Int]
    let trainableMask: [Bool]
    let trainableNames: [String]
    /// The clipping policy (with the non-finite rule), built from the configuration;
    /// replace it between steps at will. Stateful policies keep their history in it.
    public var clipper: any GradientClipper
    var updateBuffers: [Tensor<Scalar>]?
    var runStarted = false
    let emptyTensor = Tensor<Scalar>(unchecked: [0], scalars: [])
    var runStart = Date()

    /// A trainer for `model` starting from `parameters`, or from the model's initial
    /// values drawn with the configuration's seed.
    ///
    /// - Throws: ``TrainingError`` for a configuration out of range; ``ModelError`` for
    ///   parameters that do not fit the model.
    public init(model: Model, configuration: TrainingConfiguration = TrainingConfiguration(),
                parameters: ParameterSet<Scalar>? = nil) throws {
        guard configuration.epochs > 0 else { throw TrainingError("epochs: expected a positive integer, got \(configuration.epochs)") }
        guard configuration.batchSize > 0 else {
            throw TrainingError("batch_size: expected a positive integer, got \(configuration.batchSize)")
        }
        guard configuration.validationSplit >= 0 && configuration.validationSplit < 1 else {
            throw TrainingError("validation_split: expected a number in [0, 1), got \(configuration.validationSplit)")
        }
        self.model = model
        self.configuration = configuration
        self.optimizer = makeOptimizer(configuration.optimizer, as: Scalar.self)
        self.values = try model.orderedTensors(parameters ?? model.initialParameters(seed: configuration.seed, as: Scalar.self))
        self.trainableIndices = model.parameters.indices.filter { model.parameters[$0].trainable }
        self.trainableMask = model.parameters.map(\.trainable)
        self.trainableNames = model.parameters.filter(\.trainable).map(\.name)
        self.clipper = makeClipper(configuration.effectiveClipping, nonFinite: configuration.nonFinite,
                                   compatibility: configuration.clippingCompatibility)
        if model.parameters.contains(where: { !$0.trainable }) {
            let m = model
            stateUpdater = { values, inputs, context in
                let set = ParameterSet(zip(m.parameters.map(\.name), values).map { ($0, $1) })
                if let updated = try? m.updatingMovingStatistics(set, inputs: inputs, context: context),
                   let ordered = try? m.orderedTensors(updated) {
                    values = ordered
                }
            }
        }
    }

    /// The parameters, by name, in model order.
    public var parameters: ParameterSet<Scalar> {
        ParameterSet(zip(model.parameters.map(\.name), values).map { ($0, $1) })
    }

    /// Replaces the parameters.
    ///
    /// - Throws: ``ModelError`` for a missing, extra or misshaped parameter.
    public func setParameters(_ set: ParameterSet<Scalar>) throws(ModelError) {
        values = try model.orderedTensors(set)
    }

    /// The trainable parameter descriptors, in the order of step records.
    public var trainableParameters: [ParameterDescriptor] { trainableIndices.map { model.parameters[$0] } }

    // MARK: - fit

    /// Trains on `data.train`, validating on `data.validation` after each epoch when it
    /// has samples.
    public func fit(_ data: PreparedData) throws -> TrainingResult<Scalar> {
        try fit(train: data.train, validation: data.validation.count > 0 ? data.validation : nil)
    }

    /// Trains on `train` for ``TrainingConfiguration/epochs`` epochs.
    ///
    /// - Throws: ``TrainingError`` when the data do not fit the model, or when the
    ///   non-finite rule is `error` and a step is non-finite.
    ///   Observers see `trainingDidEnd` with ``TrainingStatus/interrupted`` first.
    public func fit(train: Dataset, validation: Dataset? = nil) throws -> TrainingResult<Scalar> {
        try check(train, name: "training data")
        if let validation { try check(validation, name: "validation data") }
        guard train.count > 0 else { throw TrainingError("the training data are empty (validation_split leaves no sample?)") }
        let trainData = ScalarData<Scalar>(train)
        let validationData = validation.map { ScalarData<Scalar>($0) }
        let batchSize = configuration.batchSize
        let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
        begin(trainingSamples: train.count, validationSamples: validation?.count ?? 0, stepsPerEpoch: stepsPerEpoch)

        var history: [EpochRecord] = []
        var status = TrainingStatus.completed
        var reason = ""
        var early = configuration.earlyStopping.map(EarlyStopping.init)
        var bestValues: [Tensor<Scalar>]?
        var restored = false
        do {
            epochs: for epoch in 1...configuration.epochs {
                let epochStart = DispatchTime.now().uptimeNanoseconds
                let order = train.epochOrder(epoch: epoch, seed: configuration.seed, shuffle: configuration.shuffle)
                var lossSum = 0.0, samples = 0, correct = 0, judged = 0, steps = 0
                for batch in Dataset.batches(of: order, batchSize: batchSize) {
                    let (x, y) = trainData.batch(batch)
                    let outcome = try performStep(inputs: x, targets: y, epoch: epoch)
                    steps += 1
                    if let stop = outcome.stop {
                        status = stop.status
                        reason = stop.reason
                        break epochs
                    }
                    lossSum += outcome.loss * Double(batch.count)
                    samples += batch.count
                    if let c = outcome.correct {
                        correct += c.correct
                        judged += c.judged
                    }
                }
                let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                var metrics = EpochMetrics(loss: lossSum / Double(Swift.max(samples, 1)),
                                           accuracy: judged > 0 ? Double(correct) / Double(judged) : nil)
                if let validationData {
                    let e = evaluate(validationData, batchSize: batchSize)
                    metrics.validationLoss = e.loss
                    metrics.validationAccuracy = e.accuracy
                }
                epochCount = epoch
                var decision: EarlyStopping.Decision?
                if early != nil {
                    if configuration.earlyStopping!.restoreBestWeights && bestValues == nil { bestValues = values }
                    decision = early!.update(epoch: epoch, metrics: metrics)
                    if decision == .improved && configuration.earlyStopping!.restoreBestWeights { bestValues = values }
                }
                let record = EpochRecord(
                    epoch: epoch, metrics: metrics, steps: steps, lastStep: stepCount,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9,
                    meanStepSeconds: trainSeconds / Double(Swift.max(steps, 1)), earlyStopping: decision)
                history.append(record)
                var stop: (TrainingStatus, String)?
                for o in observers {
                    if case let .stop(s, r) = o.trainingDidFinishEpoch(record), stop == nil { stop = (s, r) }
                }
                if decision == .stop {
                    let spec = configuration.earlyStopping!
                    status = .stoppedEarly
                    reason = "\(spec.monitor) did not improve by more than \(spec.minDelta) for \(early!.wait) epoch(s); best \(early!.best) at epoch \(early!.bestEpoch.map(String.init) ?? "none")"
                    if spec.restoreBestWeights, let bestValues {
                        values = bestValues
                        restored = true
                        reason += "; restored its weights"
                    }
                    break epochs
                }
                if let stop {
                    status = stop.0
                    reason = stop.1
                    break epochs
                }
            }
        } catch {
            let status: TrainingStatus = (error as? TrainingError)?.diverged == true ? .diverged : .interrupted
            end(TrainingEnd(status: status, reason: "\(error)", steps: stepCount, epochs: epochCount,
                            bestEpoch: early?.bestEpoch, restoredBestWeights: false,
                            seconds: Date().timeIntervalSince(runStart)))
            throw error
        }
        let endRecord = TrainingEnd(status: status, reason: reason, steps: stepCount, epochs: epochCount,
                                    bestEpoch: early?.bestEpoch, restoredBestWeights: restored,
                                    seconds: Date().timeIntervalSince(runStart))
        end(endRecord)
        return TrainingResult(end: endRecord, history: history, parameters: parameters)
    }

    func check(_ data: Dataset, name: String) throws(TrainingError) {
        guard data.sampleShape == model.inputShape else {
            throw TrainingError("\(name): samples of shape \(data.sampleShape), but the model's input_shape is \(model.inputShape)")
        }
        if model.loss.takesLabels != data.targetsAreLabels {
            throw TrainingError("\(name): targets are \(data.targetsAreLabels ? "class indices" : "values"), but the loss \(model.loss.spec.kind.typeName) takes \(model.loss.takesLabels ? "class indices" : "values")")
        }
        if !data.targetsAreLabels && data.targetShape != model.outputShape {
            throw TrainingError("\(name): targets of shape \(data.targetShape), but the model's output is \(model.outputShape)")
        }
    }

    func begin(trainingSamples: Int, validationSamples: Int, stepsPerEpoch: Int) {
        runStart = Date()
        runStarted = true
        let run = TrainingRun(modelName: model.name, model: model, parameters: trainableParameters,
                              configuration: configuration, dtype: Scalar.self == Float.self ? "float32" : "float64",
                              trainingSamples: trainingSamples, validationSamples: validationSamples,
                              stepsPerEpoch: stepsPerEpoch)
        for o in observers { o.trainingWillBegin(run) }
    }

    func end(_ record: TrainingEnd) {
        for o in observers { o.trainingDidEnd(record) }
        runStarted = false
    }

    // MARK: - One step

    /// The outcome of one training step.
    public struct StepOutcome: Sendable {
        /// The batch loss before the update.
        public var loss: Double
        /// Correctly classified samples (or positions) of the batch, and how many were judged;
        /// `nil` for a regression loss.
        public var correct: (correct: Int, judged: Int)?
        /// Whether the update was applied.
        public var applied: Bool
        /// Why the run must stop after this step, if it must.
        public var stop: (status: TrainingStatus, reason: String)?
        /// What the clipping stage did.
        public var clipping: ClipTelemetry
        /// Where NaN or infinity first appeared.
        public var nonFinite: [NonfiniteOrigin]
    }

    /// One training step on a batch, for custom loops: forward, backward, clipping, the
    /// optimiser, the state update and the observers. The first call tells observers the
    /// run has begun; call ``finish(status:reason:)`` at the end.
    ///
    /// - Throws: ``TrainingError`` under the `error` non-finite rule.
    public func step(inputs: Tensor<Scalar>, targets: Targets<Scalar>, epoch: Int = 1) throws -> StepOutcome {
        if !runStarted { begin(trainingSamples: 0, validationSamples: 0, stepsPerEpoch: 0) }
        return try performStep(inputs: inputs, targets: targets, epoch: epoch)
    }

    /// Ends a run driven by ``step(inputs:targets:epoch:)``: observers see `trainingDidEnd`.
    public func finish(status: TrainingStatus = .completed, reason: String = "") {
        guard runStarted else { return }
        end(TrainingEnd(status: status, reason: reason, steps: stepCount, epochs: epochCount, bestEpoch: nil,
                        restoredBestWeights: false, seconds: Date().timeIntervalSince(runStart)))
    }

    /// Whether a clipping error is about non-finite values (rather than a setting).
    func isNonFinite(_ error: ClippingError) -> Bool {
        switch error.problem {
        case .nonFiniteGradient, .nonFiniteParameter: return true
        default: return false
        }
    }

    /// The dropout seed of step `step`.
    func stepSeed(_ step: Int) -> UInt64 {
        var rng = SeededRNG(seed: configuration.seed, stream: UInt64(step) &+ 0x5EED)
        return rng.next()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func performStep(inputs: Tensor<Scalar>, targets: Targets<Scalar>, epoch: Int) throws -> StepOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        stepCount += 1
        let step = stepCount
        var context = ForwardContext(training: true, seed: stepSeed(step))
        context.augments = true
        let wantsActivations = observers.contains { $0.wantsActivations }
        let wantsUpdates = observers.contains { $0.wantsUpdates }
        let pass = forward(inputs: inputs, targets: targets, context: context, recording: true,
                           captureActivations: wantsActivations)
        let raw = pass.gradients
        var clipped = raw
        let report: ClipTelemetry
        do {
            report = try clipper.clip(&clipped, parameters: trainableIndices.map { values[$0] })
        } catch {
            let where_ = locateNonFinite(inputs: inputs, targets: targets, context: context).first
            throw TrainingError("step \(step): \(error.naming(trainableNames))"
                + (where_.map { "; it first appeared in \($0.summary)" } ?? ""),
                diverged: isNonFinite(error))
        }
        let loss = Double(pass.loss)
        let finite = loss.isFinite && report.normBefore.isFinite && report.nonFiniteCount == 0
        var findings: [NonfiniteOrigin] = []
        if !finite || report.action != nil {
            findings = locateNonFinite(inputs: inputs, targets: targets, context: context)
        }
        let handledByRule = report.action == .skippedStep || report.action == .zeroed
        var stop: (status: TrainingStatus, reason: String)?
        var applied = false
        if !finite && configuration.stopOnNonFinite && !handledByRule {
            stop = (.diverged, "non-finite \(loss.isFinite ? "gradients" : "loss") at step \(step)"
                    + (findings.first.map { ", first in \($0.summary)" } ?? ""))
        } else if !report.skipsStep {
            if let stateUpdater { stateUpdater(&values, inputs, context) }
            if wantsUpdates {
                if updateBuffers == nil { updateBuffers = [] }
            } else {
                updateBuffers = nil
            }
            // Move the trainable tensors out of `values` so that the optimiser updates
            // uniquely referenced buffers in place (no copy-on-write copy per step).
            var trainableValues: [Tensor<Scalar>] = []
            trainableValues.reserveCapacity(trainableIndices.count)
            for i in trainableIndices {
                trainableValues.append(values[i])
                values[i] = emptyTensor
            }
            optimizer.apply(gradients: clipped, to: &trainableValues, updates: &updateBuffers)
            for (k, i) in trainableIndices.enumerated() { values[i] = trainableValues[k] }
            applied = true
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let correct = pass.output.map { accuracyCounts(output: $0, targets: targets) } ?? nil
        if !observers.isEmpty {
            let record = StepRecord<Scalar>(
                step: step, epoch: epoch, batchSize: inputs.shape.first ?? 0, loss: loss,
                parameterNames: trainableNames,
                gradients: raw, clippedGradients: clipped, parameters: trainableIndices.map { values[$0] },
                updates: applied && wantsUpdates ? updateBuffers : nil,
                gradNorm: report.normBefore, clippedGradNorm: report.normAfter, clipping: report,
                learningRate: optimizer.learningRate, activations: pass.activations, nonFinite: findings,
                applied: applied, seconds: seconds)
            for o in observers {
                if case let .stop(s, r) = o.trainingDidStep(record), stop == nil { stop = (s, r) }
            }
        }
        return StepOutcome(loss: loss, correct: correct, applied: applied, stop: stop, clipping: report, nonFinite: findings)
    }

    // MARK: - Forward and backward

    /// One pass: the loss, the gradients of the trainable parameters (when recording),
    /// the last layer's output as recorded (logits when the loss is fused) and, on
    /// request, every layer's output.
    struct Pass {
        var loss: Scalar
        var gradients: [Tensor<Scalar>]
        var output: Tensor<Scalar>?
        var activations: [LayerActivation<Scalar>]?
    }

    /// The loss and gradients the trainer steps on, for a batch (`context.training`
    /// decides dropout). Equal to ``Model/lossAndGradients(parameters:inputs:targets:context:)``
    /// up to the order in which activity penalties are summed, without the input gradient.
    public func lossAndGradients(inputs: Tensor<Scalar>, targets: Targets<Scalar>,
                                 context: ForwardContext) -> (loss: Scalar, gradients: ParameterSet<Scalar>) {
        let pass = forward(inputs: inputs, targets: targets, context: context, recording: true, captureActivations: false)
        return (pass.loss, ParameterSet(zip(trainableNames, pass.gradients).map { ($0, $1) }))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(inputs: Tensor<Scalar>, targets: Targets<Scalar>, context: ForwardContext, recording: Bool,
                 captureActivations: Bool) -> Pass {
        let tape = Tape<Scalar>(recording: recording)
        var variables: [Variable<Scalar>] = []
        variables.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            variables.append(trainableMask[i] ? tape.variable(v) : tape.constant(v))
        }
        var captured: [LayerActivation<Scalar>]? = captureActivations ? [] : nil
        var output: Variable<Scalar>?
        let model = self.model
        let last = model.layers.count - 1
        // One pass over the graph in topological order; each layer's output is seen as
        // recorded (the logits of a fused last layer, activated here for the statistics).
        let perSample = model.perSampleObjective(
            input: tape.constant(inputs), parameters: variables, targets: targets, on: tape, context: context
        ) { i, xs, y in
            let layer = model.layers[i]
            if i == last { output = y }
            guard captured != nil else { return }
            var value = tape.value(y)
            if i == last && model.fusesFinalActivation {
                let t = Tape<Scalar>(recording: false)
                value = t.value(layer.outputActivation(t.constant(value), on: t))
            }
            var probabilities: Tensor<Scalar>?
            if let attention = layer as? MultiHeadAttentionLayer {
                // The probabilities are an intermediate of the recorded pass; on the steps
                // that measure activations the layer runs once more, unrecorded, to get them.
                let t = Tape<Scalar>(recording: false)
                let inputs = xs.map { t.constant(tape.value($0)) }
                let weights = model.parameterRanges[i].map { t.constant(tape.value(variables[$0])) }
                probabilities = t.value(attention.attention(
                    query: inputs[0], value: inputs.count > 1 ? inputs[1] : inputs[0],
                    key: inputs.count > 2 ? inputs[2] : nil, parameters: weights, on: t).probabilities)
            }
            captured!.append(LayerActivation(layer: layer.name, typeName: layer.typeName,
                                             activation: layer.outputActivation, output: value,
                                             attentionProbabilities: probabilities))
        }
        let mean = tape.mean(perSample)
        let loss = model.regularization(parameters: variables, on: tape).map { tape.add(mean, $0) } ?? mean
        let value = tape.value(loss).scalar
        var gradients: [Tensor<Scalar>] = []
        if recording {
            gradients = tape.gradients(of: loss, withRespectTo: trainableIndices.map { variables[$0] })
        }
        return Pass(loss: value, gradients: gradients, output: output.map { tape.value($0) },
                    activations: captured)
    }

    // MARK: - Evaluation

    /// The loss and accuracy of a dataset, in inference mode (no dropout), in batches.
    ///
    /// The loss is the sample-weighted mean of the batch losses, regularisation included,
    /// as Keras' `evaluate` reports it.
    public func evaluate(_ data: Dataset, batchSize: Int? = nil) throws(TrainingError) -> EpochEvaluation {
        try check(data, name: "evaluation data")
        return evaluate(ScalarData<Scalar>(data), batchSize: batchSize ?? configuration.batchSize)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func evaluate(_ data: ScalarData<Scalar>, batchSize: Int) -> EpochEvaluation {
        var lossSum = 0.0, samples = 0, correct = 0, judged = 0
        let context = ForwardContext(training: false, seed: 0)
        for batch in Dataset.batches(of: Array(0..<data.count), batchSize: batchSize) {
            let (x, y) = data.batch(batch)
            let pass = forward(inputs: x, targets: y, context: context, recording: false, captureActivations: false)
            lossSum += Double(pass.loss) * Double(batch.count)
            samples += batch.count
            if let out = pass.output, let c = accuracyCounts(output: out, targets: y) {
                correct += c.correct
                judged += c.judged
            }
        }
        return EpochEvaluation(loss: samples > 0 ? lossSum / Double(samples) : .nan,
                               accuracy: judged > 0 ? Double(correct) / Double(judged) : nil)
    }

    /// Correct predictions in a batch: the arg-max against the class (categorical
    /// losses), the output against 0.5 (probabilities) or 0 (logits) for binary
    /// cross-entropy; `nil` for regression.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func accuracyCounts(output: Tensor<Scalar>, targets: Targets<Scalar>) -> (correct: Int, judged: Int)? {
        let kind = model.loss.spec.kind
        let logits = model.fusesFinalActivation || model.loss.spec.fromLogits
        switch (kind, targets) {
        case (.sparseCategoricalCrossentropy, .labels(let labels)):
            let n = output.columnCount
            var correct = 0
            output.scalars.withUnsafeBufferPointer { o in
                for (r, label) in labels.enumerated() where argmax(o, r * n, n) == label { correct += 1 }
            }
            return (correct, labels.count)
        case (.categoricalCrossentropy, .values(let t)):
            let n = output.columnCount
            let rows = output.rowCount
            var correct = 0
            output.scalars.withUnsafeBufferPointer { o in
                t.scalars.withUnsafeBufferPointer { ts in
                    for r in 0..<rows where argmax(o, r * n, n) == argmax(ts, r * n, n) { correct += 1 }
                }
            }
            return (correct, rows)
        case (.binaryCrossentropy, .values(let t)):
            let threshold: Scalar = logits ? 0 : 0.5
            var correct = 0
            for (p, y) in zip(output.scalars, t.scalars) where (p > threshold) == (y > 0.5) { correct += 1 }
            return (correct, t.count)
        default:
            return nil
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func argmax(_ x: UnsafeBufferPointer<Scalar>, _ start: Int, _ n: Int) -> Int {
        var best = 0
        var value = x[start]
        for j in 1..<Swift.max(n, 1) where x[start + j] > value {
            value = x[start + j]
            best = j
        }
        return best
    }
}

/// Loss and accuracy of a dataset.
public struct EpochEvaluation: Sendable, Equatable {
    /// The sample-weighted mean loss, regularisation included.
    public var loss: Double
    /// The accuracy, `nil` for regression losses.
    public var accuracy: Double?
}

/// What ``Trainer/fit(_:)`` returns.
public struct TrainingResult<Scalar: TensorScalar>: Sendable {
    /// How the run ended.
    public var end: TrainingEnd
    /// One record per finished epoch.
    public var history: [EpochRecord]
    /// The parameters at the end (the best epoch's when they were restored).
    public var parameters: ParameterSet<Scalar>

    /// The status of the run.
    public var status: TrainingStatus { end.status }
    /// The last epoch's metrics.
    public var finalMetrics: EpochMetrics? { history.last?.metrics }
}

/// A dataset converted once to the trainer's scalar type, for cheap batches.
struct ScalarData<S: TensorScalar> {
    let sampleShape: [Int]
    let targetShape: [Int]
    let featureWidth: Int
    let targetWidth: Int
    let inputs: [S]
    let targets: [S]
    let labels: [Int]?
    let count: Int

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    init(_ data: Dataset) {
        sampleShape = data.sampleShape
        targetShape = data.targetShape
        featureWidth = data.featureWidth
        targetWidth = data.targetWidth
        inputs = data.inputs.map { S($0) }
        count = data.count
        if data.targetsAreLabels {
            labels = data.targets.map { Int($0) }
            targets = []
        } else {
            labels = nil
            targets = data.targets.map { S($0) }
        }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func batch(_ indices: ArraySlice<Int>) -> (Tensor<S>, Targets<S>) {
        let fw = featureWidth
        let x = [S](unsafeUninitializedCapacity: indices.count * fw) { buffer, n in
            inputs.withUnsafeBufferPointer { src in
                var k = 0
                for i in indices {
                    (buffer.baseAddress! + k).initialize(from: src.baseAddress! + i * fw, count: fw)
                    k += fw
                }
            }
            n = indices.count * fw
        }
        let xs = Tensor<S>(unchecked: [indices.count] + sampleShape, scalars: x)
        if let labels { return (xs, .labels(indices.map { labels[$0] })) }
        let tw = targetWidth
        var y = [S]()
        y.reserveCapacity(indices.count * tw)
        for i in indices { y.append(contentsOf: targets[(i * tw)..<((i + 1) * tw)]) }
        return (xs, .values(Tensor<S>(unchecked: [indices.count] + targetShape, scalars: y)))
    }
}
