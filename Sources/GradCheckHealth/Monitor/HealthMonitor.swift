import GradCheckNN

/// Watches one training run: records each step's loss, gradients, weights, updates and
/// activations as numbers, writes them to the run log as it goes, and raises live alerts.
///
/// Create one per run, call ``recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``
/// after every optimiser step, ``recordEpoch(loss:valLoss:accuracy:valAccuracy:)`` at the
/// end of each epoch and ``finish(status:)`` at the end; then ``report(thresholds:)``
/// judges the run. Values are plain: `Tensor<Float>`, `Tensor<Double>`, `[Float]` or
/// `[Double]`, keyed by name, so the monitor fits any training loop:
///
/// ```swift
/// let monitor = try HealthMonitor(
///     model: "mlp",
///     parameters: [RunParameter(name: "dense_1/kernel", layer: "dense_1", shape: [64, 32]), ...],
///     layers: [RunLayer(name: "dense_1", activation: .reluFamily, units: 32)],
///     log: try RunLogWriter(path: "run.jsonl"))
/// for batch in batches {
///     let (loss, grads) = ...                 // your forward and backward pass
///     let alerts = try monitor.recordStep(loss: loss, gradients: ["dense_1/kernel": gW, ...])
///     if monitor.hasGoneNonfinite { break }
/// }
/// try monitor.finish(status: .completed)
/// print(monitor.report().text())
/// ```
///
/// Cost: per step, one pass over each gradient (norm and max-abs together) and a line of
/// JSON; weight and update norms (a pass over each) every
/// ``MonitorOptions/weightNormsEvery`` steps and activation statistics (a pass over each
/// layer's output) every ``MonitorOptions/activationsEvery`` steps, which
/// ``measuresWeights`` and ``measuresActivations`` announce so that the loop forms those
/// values only when they are used. Nothing is copied or kept beyond the numbers.
public final class HealthMonitor {
    /// The model's name, as written in `run_start`.
    public let model: String
    /// The parameters, in model order.
    public let parameters: [RunParameter]
    /// The layers whose activations may be measured, in model order.
    public let layers: [RunLayer]
    /// The log written, if any.
    public let writer: RunLogWriter?
    /// The instruments and thresholds.
    public let options: MonitorOptions
    /// Called with each alert as it fires (also returned by ``recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``).
    public var onAlert: ((HealthAlert) -> Void)?

    /// What was recorded so far (kept when ``MonitorOptions/keepsLog``).
    public private(set) var log: RunLog
    /// Every alert fired so far.
    public private(set) var alerts: [HealthAlert] = []
    /// The last step recorded (0 before the first).
    public private(set) var step = 0
    /// The current epoch: 1 until the first ``recordEpoch(loss:valLoss:accuracy:valAccuracy:)``.
    public private(set) var epoch = 1
    /// Whether a non-finite loss, gradient, weight, update or activation has been seen:
    /// the signal to stop a run (`--stop-on-nonfinite`).
    public private(set) var hasGoneNonfinite = false
    /// Whether ``finish(status:)`` was called.
    public private(set) var isFinished = false

    private var stepsRecorded = 0
    private let parameterIndex: [String: Int]
    private let layerIndex: [String: Int]
    private let groups: LayerGroups
    private var rules: LiveAlertRules
    private var scratch: [UInt8] = []

    /// Starts monitoring a run and writes its `run_start` line.
    ///
    /// - Parameters:
    ///   - model: the model's name.
    ///   - parameters: the parameter tensors (name, layer, shape), in model order; layer
    ///     gradient norms group them by layer, and the last layer is the output layer.
    ///   - layers: the layers whose activations may be passed, with the kind of their
    ///     activation (see ``RunLayer/layers(of:)`` for a GradCheckNN model).
    ///   - log: where to write the run log; `nil` for none.
    ///   - options: which instruments run, and the alert thresholds.
    /// - Throws: ``HealthMonitorError/duplicateName(_:)``, or ``HealthMonitorError/log(_:)``.
    public init(model: String, parameters: [RunParameter], layers: [RunLayer] = [], log: RunLogWriter? = nil,
                options: MonitorOptions = MonitorOptions()) throws(HealthMonitorError) {
        var pIndex: [String: Int] = [:]
        for (i, p) in parameters.enumerated() {
            guard pIndex.updateValue(i, forKey: p.name) == nil else { throw .duplicateName(p.name) }
        }
        var lIndex: [String: Int] = [:]
        for (i, l) in layers.enumerated() {
            guard lIndex.updateValue(i, forKey: l.name) == nil else { throw .duplicateName(l.name) }
        }
        self.model = model
        self.parameters = parameters
        self.layers = layers
        self.writer = log
        self.options = options
        parameterIndex = pIndex
        layerIndex = lIndex
        groups = LayerGroups(parameters)
        rules = LiveAlertRules(thresholds: options.thresholds, groups: groups)
        let start = RunStart(model: model, parameters: parameters, layers: layers)
        self.log = RunLog(start: start)
        try emit(.runStart(start))
    }

    /// Whether the next step measures activation statistics: pass `activations` to
    /// ``recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``
    /// only then, and skip capturing them otherwise.
    public var measuresActivations: Bool {
        MonitorOptions.due(options.activationsEvery, step: step + 1, ordinal: stepsRecorded + 1)
    }

    /// Whether the next step measures weight and update norms: pass `parameters` and
    /// `updates` only then, and skip forming the update otherwise.
    public var measuresWeights: Bool {
        MonitorOptions.due(options.weightNormsEvery, step: step + 1, ordinal: stepsRecorded + 1)
    }

    /// Records one optimiser step, writes its `step` line, and returns the live alerts
    /// that fired (also written as `alert` lines).
    ///
    /// - Parameters:
    ///   - loss: the step's training loss (NaN and infinity are recorded as such).
    ///   - gradients: the raw gradients (before clipping), by parameter name. Parameters
    ///     left out (frozen ones) are not recorded this step.
    ///   - parameters: the parameter values after the update, by name, for weight norms;
    ///     measured on the steps ``measuresWeights`` says, ignored on others.
    ///   - updates: the updates applied (new value minus old), by name, for update norms;
    ///     likewise.
    ///   - gradNorm: the global gradient norm before clipping; computed from `gradients`
    ///     when `nil`.
    ///   - clippedGradNorm: the global norm after clipping, if the loop clips.
    ///   - learningRate: the learning rate of the step.
    ///   - activations: layer outputs by layer name (the last axis is the unit axis); for
    ///     a layer of kind ``ActivationKind/attention(causal:)``, its attention
    ///     probabilities `[..., queries, keys]` instead. Measured on the steps
    ///     ``measuresActivations`` says, ignored on others.
    ///   - nonfinite: where a NaN or infinity first appeared, if the loop located one.
    ///   - step: the step number; the previous one plus 1 when `nil`.
    ///   - epoch: the epoch; the monitor's current ``epoch`` when `nil`.
    /// - Returns: the alerts that fired on this step.
    /// - Throws: ``HealthMonitorError`` for an unknown name, a wrong element count or a
    ///   negative step or epoch (nothing is recorded then), after ``finish(status:)``, or
    ///   when the log cannot be written.
    @discardableResult
    public func recordStep(
        loss: Double,
        gradients: [String: any MonitoredValues],
        parameters: [String: any MonitoredValues] = [:],
        updates: [String: any MonitoredValues] = [:],
        gradNorm: Double? = nil,
        clippedGradNorm: Double? = nil,
        learningRate: Double? = nil,
        activations: [String: any MonitoredValues] = [:],
        nonfinite: [NonfiniteOrigin] = [],
        step: Int? = nil,
        epoch: Int? = nil
    ) throws(HealthMonitorError) -> [HealthAlert] {
        guard !isFinished else { throw .finished }
        return try recordStep(loss: loss, ordered: placed(gradients, "gradients"), parameters: placed(parameters, "parameters"),
                              updates: placed(updates, "updates"), gradNorm: gradNorm, clippedGradNorm: clippedGradNorm,
                              learningRate: learningRate, activations: activations, nonfinite: nonfinite, step: step,
                              epoch: epoch)
    }

    /// ``recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``
    /// with the values already in ``parameters`` order (`nil` for one not given; an empty
    /// array for none): no name lookups, for a loop that feeds the monitor every step.
    ///
    /// - Throws: as the named form, for a wrong element count or an unknown layer name.
    @discardableResult
    package func recordStep(
        loss: Double, ordered grads: [(any MonitoredValues)?], parameters weights: [(any MonitoredValues)?],
        updates steps: [(any MonitoredValues)?], gradNorm: Double?, clippedGradNorm: Double?, learningRate: Double?,
        activations: [String: any MonitoredValues], nonfinite: [NonfiniteOrigin], step: Int?, epoch: Int?
    ) throws(HealthMonitorError) -> [HealthAlert] {
        guard !isFinished else { throw .finished }
        for (argument, values) in [("gradients", grads), ("parameters", weights), ("updates", steps)] where !values.isEmpty {
            guard values.count == self.parameters.count else {
                throw .elementCount("(\(argument) in parameter order)", argument: argument,
                                    expected: self.parameters.count, got: values.count)
            }
            for (i, v) in values.enumerated() {
                guard let v, let expected = self.parameters[i].count else { continue }
                let got = v.monitoredCount
                if got != expected {
                    throw .elementCount(self.parameters[i].name, argument: argument, expected: expected, got: got)
                }
            }
        }
        for name in activations.keys where layerIndex[name] == nil {
            throw .unknownName(name, argument: "activations",
                               suggestion: DidYouMean.suggestion(for: name, among: layers.map(\.name)))
        }

        let number = step ?? self.step + 1
        guard number >= 0 else { throw .negativeNumber("step", number) }
        if let epoch, epoch < 0 { throw .negativeNumber("epoch", epoch) }
        let ordinal = stepsRecorded + 1
        let weighs = MonitorOptions.due(options.weightNormsEvery, step: number, ordinal: ordinal)
        let measures = MonitorOptions.due(options.activationsEvery, step: number, ordinal: ordinal)

        var stats: [ParameterStats] = []
        stats.reserveCapacity(grads.count)
        var parameterNorms = [Double?](repeating: nil, count: self.parameters.count)
        for (i, p) in self.parameters.enumerated() where !grads.isEmpty {
            guard let g = grads[i] else { continue }
            let n = TensorStatistics.norm(of: g)
            var s = ParameterStats(name: p.name, gradNorm: n.norm, gradMax: n.maxAbs)
            // Bias-like vectors only: one unit per element, so the exactly-zero fraction is
            // the fraction of units without gradient (dead ReLU units), at the cost of one
            // more pass over a short vector.
            if (p.shape?.count ?? g.monitoredShape.count) <= 1 { s.gradZeroFraction = TensorStatistics.zeroFraction(of: g) }
            if weighs {
                if !weights.isEmpty { s.weightNorm = weights[i].map { TensorStatistics.norm(of: $0).norm } }
                if !steps.isEmpty { s.updateNorm = steps[i].map { TensorStatistics.norm(of: $0).norm } }
            }
            parameterNorms[i] = n.norm
            stats.append(s)
        }

        var layerStats: [LayerStats] = []
        if measures, !activations.isEmpty {
            for layer in layers {
                guard let values = activations[layer.name], values.monitoredCount > 0 else { continue }
                let shape = values.monitoredShape
                let units = shape.count >= 2 ? shape[shape.count - 1] : (layer.units ?? 0)
                if case let .attention(causal) = layer.activation {
                    let queries = shape.count >= 2 ? shape[shape.count - 2] : 0
                    let h = TensorStatistics.attentionEntropy(of: values, queries: queries, keys: units, causal: causal)
                    layerStats.append(LayerStats(name: layer.name, attentionEntropy: h))
                    continue
                }
                let a = TensorStatistics.activations(of: values, units: units, kind: layer.activation, alive: &scratch)
                layerStats.append(LayerStats(name: layer.name, mean: a.mean, std: a.std, deadFraction: a.deadFraction,
                                             saturatedFraction: a.saturatedFraction))
            }
        }

        let global = gradNorm ?? TensorStatistics.combinedNorm(parameterNorms.compactMap { $0 })
        let record = RunStep(step: number, epoch: epoch ?? self.epoch, loss: loss, gradNorm: global,
                             clippedGradNorm: clippedGradNorm, learningRate: learningRate, parameters: stats,
                             layers: layerStats, nonfinite: nonfinite)
        self.step = number
        stepsRecorded += 1
        if !record.isFinite { hasGoneNonfinite = true }
        if options.keepsLog { log.steps.append(record) }
        try emit(.step(record))

        guard options.alerts else { return [] }
        let fired = rules.evaluate(record, layerNorms: groups.norms(parameterNorms))
        for alert in fired {
            alerts.append(alert)
            if options.keepsLog { log.alerts.append(alert) }
            try emit(.alert(alert))
            onAlert?(alert)
        }
        return fired
    }

    /// Records the end of the current epoch with the metrics known, writes its `epoch`
    /// line, and moves to the next epoch.
    ///
    /// - Throws: ``HealthMonitorError/finished`` after ``finish(status:)``, or
    ///   ``HealthMonitorError/log(_:)``.
    public func recordEpoch(loss: Double? = nil, valLoss: Double? = nil, accuracy: Double? = nil,
                            valAccuracy: Double? = nil) throws(HealthMonitorError) {
        guard !isFinished else { throw .finished }
        let record = RunEpoch(epoch: epoch, step: stepsRecorded > 0 ? step : nil, loss: loss, valLoss: valLoss,
                              accuracy: accuracy, valAccuracy: valAccuracy)
        if options.keepsLog { log.epochs.append(record) }
        epoch += 1
        try emit(.epoch(record))
    }

    /// Ends the run: writes `run_end` with `status` and closes the log file. Later calls
    /// do nothing.
    ///
    /// - Throws: ``HealthMonitorError/log(_:)`` when the line cannot be written.
    public func finish(status: RunStatus) throws(HealthMonitorError) {
        guard !isFinished else { return }
        isFinished = true
        let end = RunEnd(status: status, step: stepsRecorded > 0 ? step : nil)
        if options.keepsLog { log.end = end }
        defer { writer?.close() }
        try emit(.runEnd(end))
    }

    /// Judges the run recorded so far with the full rule set (needs
    /// ``MonitorOptions/keepsLog``; otherwise read the log file with ``RunLog/read(path:)``).
    public func report(thresholds: HealthThresholds? = nil) -> HealthReport {
        HealthReport(log: log, thresholds: thresholds ?? options.thresholds)
    }

    // MARK: Helpers

    /// The values by parameter position, checking every name and element count (one
    /// lookup per name); empty when `values` is.
    private func placed(_ values: [String: any MonitoredValues], _ argument: String)
        throws(HealthMonitorError) -> [(any MonitoredValues)?] {
        var out = [(any MonitoredValues)?](repeating: nil, count: values.isEmpty ? 0 : parameters.count)
        for (name, v) in values {
            guard let i = parameterIndex[name] else {
                throw .unknownName(name, argument: argument,
                                   suggestion: DidYouMean.suggestion(for: name, among: parameters.map(\.name)))
            }
            out[i] = v
        }
        return out
    }

    private func emit(_ event: RunLogEvent) throws(HealthMonitorError) {
        guard let writer else { return }
        do {
            try writer.write(event)
        } catch {
            throw .log(error)
        }
    }
}
