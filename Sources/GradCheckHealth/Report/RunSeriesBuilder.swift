/// Turns a run log's events, one at a time, into a ``RunSeries`` in bounded memory: the
/// streaming half of the report.
///
/// Steps go into buckets of ``width`` consecutive steps (see ``SeriesColumn``). While the
/// run has at most ``capacity`` steps every bucket holds one step and the series is the
/// log exactly; when a step would need bucket `capacity + 1`, adjacent buckets are merged
/// pairwise and the width doubles. So memory is O(capacity × series) whatever the length
/// of the log, each step costs O(parameters + layers) amortised, and the rules then read at
/// most `capacity` points: a 1M-step log is judged on 2¹⁰-step buckets' means and peaks,
/// with first and last steps exact to a bucket.
///
/// Alerts, non-finite locations and epochs are kept up to a cap each (the first ones, which
/// are the ones that explain a run) and counted beyond it.
struct RunSeriesBuilder: Sendable {
    /// The most buckets a series keeps. Default 8192: exact for runs of up to 8192 steps.
    let capacity: Int
    /// Steps per bucket: 1, then doubling.
    private(set) var width = 1
    private var stepsInLast = 0

    private(set) var model: String?
    private(set) var declaredLayers: [RunLayer] = []
    private(set) var totalSteps = 0
    private(set) var lastStep: Int?
    private var bucketSteps: [Int] = []
    private var bucketFinite: [Bool] = []
    private var loss = SeriesColumn()
    private var gradNorm = SeriesColumn()
    private var gradNormLogged = false
    private var clippedGradNorm = SeriesColumn()
    private var learningRate = SeriesColumn()

    private struct ParameterColumns: Sendable {
        var info: RunParameter
        var grad: SeriesColumn
        var weight: SeriesColumn
        var update: SeriesColumn
        var zero: SeriesColumn
    }
    private var parameters: [ParameterColumns] = []
    private var parameterIndex: [String: Int] = [:]

    private var layerNames: [String] = []
    private var layerIndex: [String: Int] = [:]
    private var layerMembers: [[Int]] = []
    private var layerNorms: [SeriesColumn] = []

    private struct ActivationColumns: Sendable {
        var name: String
        var kind: ActivationKind?
        var mean: SeriesColumn
        var std: SeriesColumn
        var dead: SeriesColumn
        var saturated: SeriesColumn
        var entropy: SeriesColumn
    }
    private var activations: [ActivationColumns] = []
    private var activationIndex: [String: Int] = [:]

    /// At most this many alerts, non-finite locations and epochs are kept.
    static let keptEvents = 10_000
    private var nonfinite: [(index: Int, origin: NonfiniteOrigin)] = []
    private(set) var epochs: [RunEpoch] = []
    private(set) var alerts: [HealthAlert] = []
    private(set) var alertCount = 0
    private(set) var end: RunEnd?
    private(set) var hasStart = false

    // Per-step scratch, reused so that a step allocates nothing once every name is known.
    private var stepNorms: [Double?] = []
    private var lastOrder: [Int] = []
    private var scratch: [Double] = []

    /// An empty builder keeping at most `capacity` buckets (at least 16).
    init(capacity: Int = 8192) {
        self.capacity = Swift.max(16, capacity)
    }

    /// Adds one event. A second `run_start` or `run_end` changes nothing (the first stands).
    mutating func add(_ event: RunLogEvent) {
        switch event {
        case let .runStart(s):
            guard !hasStart else { return }
            hasStart = true
            model = s.model
            declaredLayers = s.layers
            for p in s.parameters { _ = parameter(p) }
            for l in s.layers { _ = activation(l.name, l.activation) }
        case let .step(s): add(s)
        case let .epoch(e): if epochs.count < Self.keptEvents { epochs.append(e) }
        case let .alert(a):
            alertCount += 1
            if alerts.count < Self.keptEvents { alerts.append(a) }
        case let .runEnd(e): if end == nil { end = e }
        }
    }

    /// Adds one step. O(parameters + layers) amortised.
    mutating func add(_ s: RunStep) {
        if bucketSteps.isEmpty || stepsInLast == width {
            if bucketSteps.count == capacity { halve() }
            openBucket(s.step)
        }
        stepsInLast += 1
        totalSteps += 1
        lastStep = s.step
        let b = bucketSteps.count - 1
        if !s.isFinite { bucketFinite[b] = false }

        loss.add(s.loss)
        if let c = s.clippedGradNorm { clippedGradNorm.add(c) }
        if let r = s.learningRate { learningRate.add(r) }

        stepNorms.removeAll(keepingCapacity: true)
        stepNorms.append(contentsOf: repeatElement(nil, count: parameters.count))
        for (j, p) in s.parameters.enumerated() {
            // Logs list parameters in the same order on every line: try last line's index
            // at this position before hashing the name.
            let i: Int
            if j < lastOrder.count, parameters[lastOrder[j]].info.name == p.name {
                i = lastOrder[j]
            } else {
                i = parameterIndex[p.name] ?? parameter(RunParameter(name: p.name))
                if j < lastOrder.count { lastOrder[j] = i } else { lastOrder.append(i) }
            }
            if i >= stepNorms.count { stepNorms.append(contentsOf: repeatElement(nil, count: i + 1 - stepNorms.count)) }
            stepNorms[i] = p.gradNorm
            parameters[i].grad.add(p.gradNorm)
            if let w = p.weightNorm { parameters[i].weight.add(w) }
            if let u = p.updateNorm { parameters[i].update.add(u) }
            if let z = p.gradZeroFraction { parameters[i].zero.add(z) }
        }
        // The logged global norm, else the norm of the parameters' norms.
        if let g = s.gradNorm {
            gradNormLogged = true
            gradNorm.add(g)
        } else {
            scratch.removeAll(keepingCapacity: true)
            for case let n? in stepNorms { scratch.append(n) }
            if !scratch.isEmpty { gradNorm.add(TensorStatistics.combinedNorm(scratch)) }
        }
        for (k, members) in layerMembers.enumerated() {
            scratch.removeAll(keepingCapacity: true)
            for m in members { if let n = stepNorms[m] { scratch.append(n) } }
            if !scratch.isEmpty { layerNorms[k].add(TensorStatistics.combinedNorm(scratch)) }
        }
        for l in s.layers {
            let i = activationIndex[l.name] ?? activation(l.name, nil)
            if let v = l.mean { activations[i].mean.add(v) }
            if let v = l.std { activations[i].std.add(v) }
            if let v = l.deadFraction { activations[i].dead.add(v) }
            if let v = l.saturatedFraction { activations[i].saturated.add(v) }
            if let v = l.attentionEntropy { activations[i].entropy.add(v) }
        }
        for origin in s.nonfinite where nonfinite.count < Self.keptEvents { nonfinite.append((b, origin)) }
    }

    private mutating func openBucket(_ step: Int) {
        bucketSteps.append(step)
        bucketFinite.append(true)
        stepsInLast = 0
        loss.openBucket()
        gradNorm.openBucket()
        clippedGradNorm.openBucket()
        learningRate.openBucket()
        for k in parameters.indices {
            parameters[k].grad.openBucket()
            parameters[k].weight.openBucket()
            parameters[k].update.openBucket()
            parameters[k].zero.openBucket()
        }
        for k in layerNorms.indices { layerNorms[k].openBucket() }
        for k in activations.indices {
            activations[k].mean.openBucket()
            activations[k].std.openBucket()
            activations[k].dead.openBucket()
            activations[k].saturated.openBucket()
            activations[k].entropy.openBucket()
        }
    }

    /// Merges adjacent buckets of every series; the width doubles.
    private mutating func halve() {
        var steps: [Int] = [], finite: [Bool] = []
        steps.reserveCapacity(capacity / 2 + 1)
        finite.reserveCapacity(capacity / 2 + 1)
        var i = 0
        while i < bucketSteps.count {
            steps.append(bucketSteps[i])
            finite.append(bucketFinite[i] && (i + 1 >= bucketSteps.count || bucketFinite[i + 1]))
            i += 2
        }
        bucketSteps = steps
        bucketFinite = finite
        loss.halve()
        gradNorm.halve()
        clippedGradNorm.halve()
        learningRate.halve()
        for k in parameters.indices {
            parameters[k].grad.halve()
            parameters[k].weight.halve()
            parameters[k].update.halve()
            parameters[k].zero.halve()
        }
        for k in layerNorms.indices { layerNorms[k].halve() }
        for k in activations.indices {
            activations[k].mean.halve()
            activations[k].std.halve()
            activations[k].dead.halve()
            activations[k].saturated.halve()
            activations[k].entropy.halve()
        }
        for k in nonfinite.indices { nonfinite[k].index /= 2 }
        width *= 2
    }

    /// The index of parameter `info`, adding its series (and its layer's) when new.
    private mutating func parameter(_ info: RunParameter) -> Int {
        if let i = parameterIndex[info.name] { return i }
        let i = parameters.count
        parameterIndex[info.name] = i
        let n = bucketSteps.count
        parameters.append(ParameterColumns(info: info, grad: SeriesColumn(buckets: n), weight: SeriesColumn(buckets: n),
                                           update: SeriesColumn(buckets: n), zero: SeriesColumn(buckets: n)))
        if let k = layerIndex[info.layer] {
            layerMembers[k].append(i)
        } else {
            layerIndex[info.layer] = layerNames.count
            layerNames.append(info.layer)
            layerMembers.append([i])
            layerNorms.append(SeriesColumn(buckets: n))
        }
        return i
    }

    /// The index of layer `name`'s activation series, adding them when new.
    private mutating func activation(_ name: String, _ kind: ActivationKind?) -> Int {
        if let i = activationIndex[name] { return i }
        let n = bucketSteps.count
        activationIndex[name] = activations.count
        activations.append(ActivationColumns(name: name, kind: kind, mean: SeriesColumn(buckets: n),
                                             std: SeriesColumn(buckets: n), dead: SeriesColumn(buckets: n),
                                             saturated: SeriesColumn(buckets: n), entropy: SeriesColumn(buckets: n)))
        return activations.count - 1
    }

    /// The series so far. O(capacity × series).
    func series() -> RunSeries {
        var s = RunSeries()
        s.model = model
        s.declaredLayers = declaredLayers
        s.steps = bucketSteps
        s.loss = loss.values.map { $0 ?? .nan }
        s.lossPeak = loss.peaks.map { $0 ?? .nan }
        s.gradNorm = gradNorm.values
        s.gradNormPeak = gradNorm.peaks
        s.gradNormIsDerived = !gradNormLogged && !parameters.isEmpty
        s.clippedGradNorm = clippedGradNorm.values
        s.learningRate = learningRate.values
        s.parameters = parameters.map { p in
            RunSeries.Parameter(info: p.info, gradNorm: p.grad.values, weightNorm: p.weight.values,
                                updateNorm: p.update.values, gradZeroFraction: p.zero.values)
        }
        s.layerGradients = zip(layerNames, layerNorms).map { RunSeries.LayerGradient(name: $0, norm: $1.values) }
        s.activations = activations.map { a in
            RunSeries.Activations(name: a.name, kind: a.kind, mean: a.mean.values, std: a.std.values,
                                  deadFraction: a.dead.values, saturatedFraction: a.saturated.values,
                                  attentionEntropy: a.entropy.values)
        }
        s.activations.removeAll { a in
            a.mean.allSatisfy { $0 == nil } && a.deadFraction.allSatisfy { $0 == nil }
                && a.saturatedFraction.allSatisfy { $0 == nil } && a.attentionEntropy.allSatisfy { $0 == nil }
        }
        s.nonfinite = nonfinite
        s.epochs = epochs
        s.end = end
        s.stepIsFinite = bucketFinite
        s.totalSteps = totalSteps
        s.lastStep = lastStep
        s.bucketWidth = width
        return s
    }
}
