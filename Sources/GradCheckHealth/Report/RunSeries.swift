/// A run log turned into columns, one value per step (`nil` where a step did not record
/// it): what the detectors and the plots read.
///
/// Parameters come in the order of `run_start`, then in order of first appearance;
/// a parameter's layer comes from `run_start`, else from its name
/// (``RunParameter/layer(ofName:)``). The global gradient norm is the logged one, else the
/// norm of the logged per-parameter norms.
struct RunSeries: Sendable {
    /// One parameter's numbers over the steps.
    struct Parameter: Sendable {
        var info: RunParameter
        var gradNorm: [Double?]
        var weightNorm: [Double?]
        var updateNorm: [Double?]
        /// The fraction of the gradient's elements that are exactly zero, when logged.
        var gradZeroFraction: [Double?]

        /// Whether the parameter is a bias-like vector (rank ≤ 1, or named `bias` when the
        /// shape is unknown), whose weight norm says little about its updates.
        var isVector: Bool {
            if let shape = info.shape { return shape.count <= 1 }
            let last = info.name.split(whereSeparator: { $0 == "/" || $0 == "." }).last ?? ""
            return last.lowercased().contains("bias")
        }

        /// `updateNorm / weightNorm` per step.
        var updateRatio: [Double?] {
            zip(updateNorm, weightNorm).map { u, w in
                guard let u, let w, w > 0 else { return nil }
                return u / w
            }
        }
    }

    /// One layer's gradient norm over the steps.
    struct LayerGradient: Sendable {
        var name: String
        var norm: [Double?]
    }

    /// One layer's activation statistics over the steps.
    struct Activations: Sendable {
        var name: String
        var kind: ActivationKind?
        var mean: [Double?]
        var std: [Double?]
        var deadFraction: [Double?]
        var saturatedFraction: [Double?]
        var attentionEntropy: [Double?]
    }

    var model: String?
    /// The layers `run_start` declares, with their activation kinds.
    var declaredLayers: [RunLayer] = []
    /// The first step number of each point (each bucket of ``bucketWidth`` steps).
    var steps: [Int] = []
    /// The loss of each point: the mean of its finite losses, or its first non-finite one.
    var loss: [Double] = []
    /// The largest finite loss of each point (its non-finite one, if any).
    var lossPeak: [Double] = []
    var gradNorm: [Double?] = []
    /// The largest global gradient norm of each point: spikes survive downsampling.
    var gradNormPeak: [Double?] = []
    var gradNormIsDerived = false
    var clippedGradNorm: [Double?] = []
    var learningRate: [Double?] = []
    var parameters: [Parameter] = []
    var layerGradients: [LayerGradient] = []
    var activations: [Activations] = []
    var nonfinite: [(index: Int, origin: NonfiniteOrigin)] = []
    var epochs: [RunEpoch] = []
    var end: RunEnd?
    /// The number of `step` lines read (``count`` is the number of points).
    var totalSteps = 0
    /// The last step number read.
    var lastStep: Int?
    /// Steps per point: 1 for a run of up to ``RunSeriesBuilder/capacity`` steps.
    var bucketWidth = 1

    init() {}

    /// The series of a whole log in memory.
    init(_ log: RunLog, capacity: Int = 8192) {
        var builder = RunSeriesBuilder(capacity: capacity)
        if let start = log.start { builder.add(.runStart(start)) }
        for step in log.steps { builder.add(step) }
        for e in log.epochs { builder.add(.epoch(e)) }
        if let end = log.end { builder.add(.runEnd(end)) }
        self = builder.series()
    }

    /// The number of steps.
    var count: Int { steps.count }

    /// Whether each point is free of non-finite values (``RunStep/isFinite`` of all its steps).
    var stepIsFinite: [Bool] = []

    /// The index of the first step with a non-finite value; `nil` when none.
    var firstNonfiniteIndex: Int? { stepIsFinite.firstIndex(of: false) }

    /// The first `n` steps (epochs and non-finite locations up to them).
    func prefix(_ n: Int) -> RunSeries {
        var s = self
        s.steps = Array(steps.prefix(n))
        s.loss = Array(loss.prefix(n))
        s.lossPeak = Array(lossPeak.prefix(n))
        s.gradNorm = Array(gradNorm.prefix(n))
        s.gradNormPeak = Array(gradNormPeak.prefix(n))
        s.clippedGradNorm = Array(clippedGradNorm.prefix(n))
        s.learningRate = Array(learningRate.prefix(n))
        for k in s.parameters.indices {
            s.parameters[k].gradNorm = Array(parameters[k].gradNorm.prefix(n))
            s.parameters[k].weightNorm = Array(parameters[k].weightNorm.prefix(n))
            s.parameters[k].updateNorm = Array(parameters[k].updateNorm.prefix(n))
            s.parameters[k].gradZeroFraction = Array(parameters[k].gradZeroFraction.prefix(n))
        }
        for k in s.layerGradients.indices { s.layerGradients[k].norm = Array(layerGradients[k].norm.prefix(n)) }
        for k in s.activations.indices {
            s.activations[k].mean = Array(activations[k].mean.prefix(n))
            s.activations[k].std = Array(activations[k].std.prefix(n))
            s.activations[k].deadFraction = Array(activations[k].deadFraction.prefix(n))
            s.activations[k].saturatedFraction = Array(activations[k].saturatedFraction.prefix(n))
            s.activations[k].attentionEntropy = Array(activations[k].attentionEntropy.prefix(n))
        }
        s.nonfinite = nonfinite.filter { $0.index < n }
        let last = steps.prefix(n).last ?? Int.min
        s.epochs = epochs.filter { ($0.step ?? Int.min) <= last }
        s.stepIsFinite = Array(stepIsFinite.prefix(n))
        s.lastStep = n < steps.count ? steps[n] - 1 : lastStep
        return s
    }

    /// The step number at index `i`.
    func step(_ i: Int) -> Int { steps[i] }

    /// The window used for baselines and end medians: ``HealthThresholds/baselineSteps``,
    /// but at most a quarter of the run.
    func window(_ t: HealthThresholds) -> Int {
        Swift.max(1, Swift.min(t.baselineSteps, count / 4))
    }
}
