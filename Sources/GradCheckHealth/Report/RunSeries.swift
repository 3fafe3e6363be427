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
    }

    var model: String?
    /// The layers `run_start` declares, with their activation kinds.
    var declaredLayers: [RunLayer] = []
    var steps: [Int] = []
    var loss: [Double] = []
    var gradNorm: [Double?] = []
    var gradNormIsDerived = false
    var clippedGradNorm: [Double?] = []
    var parameters: [Parameter] = []
    var layerGradients: [LayerGradient] = []
    var activations: [Activations] = []
    var nonfinite: [(index: Int, origin: NonfiniteOrigin)] = []
    var epochs: [RunEpoch] = []
    var end: RunEnd?

    init(_ log: RunLog) {
        model = log.start?.model
        declaredLayers = log.start?.layers ?? []
        epochs = log.epochs
        end = log.end
        let n = log.steps.count
        steps = log.steps.map(\.step)
        loss = log.steps.map(\.loss)
        clippedGradNorm = log.steps.map(\.clippedGradNorm)

        var parameterIndex: [String: Int] = [:]
        func addParameter(_ info: RunParameter) -> Int {
            if let i = parameterIndex[info.name] { return i }
            parameterIndex[info.name] = parameters.count
            let empty = [Double?](repeating: nil, count: n)
            parameters.append(Parameter(info: info, gradNorm: empty, weightNorm: empty, updateNorm: empty))
            return parameters.count - 1
        }
        for p in log.start?.parameters ?? [] { _ = addParameter(p) }

        var activationIndex: [String: Int] = [:]
        func addLayer(_ name: String, _ kind: ActivationKind?) -> Int {
            if let i = activationIndex[name] { return i }
            activationIndex[name] = activations.count
            let empty = [Double?](repeating: nil, count: n)
            activations.append(Activations(name: name, kind: kind, mean: empty, std: empty, deadFraction: empty,
                                           saturatedFraction: empty))
            return activations.count - 1
        }
        for l in log.start?.layers ?? [] { _ = addLayer(l.name, l.activation) }

        for (t, record) in log.steps.enumerated() {
            for p in record.parameters {
                let i = addParameter(RunParameter(name: p.name))
                parameters[i].gradNorm[t] = p.gradNorm
                parameters[i].weightNorm[t] = p.weightNorm
                parameters[i].updateNorm[t] = p.updateNorm
            }
            for l in record.layers {
                let i = addLayer(l.name, nil)
                activations[i].mean[t] = l.mean
                activations[i].std[t] = l.std
                activations[i].deadFraction[t] = l.deadFraction
                activations[i].saturatedFraction[t] = l.saturatedFraction
            }
            for origin in record.nonfinite { nonfinite.append((t, origin)) }
        }
        activations.removeAll { a in
            a.mean.allSatisfy { $0 == nil } && a.deadFraction.allSatisfy { $0 == nil }
                && a.saturatedFraction.allSatisfy { $0 == nil }
        }

        // The logged global norm, else (step by step) the norm of the parameters' norms.
        gradNormIsDerived = !log.steps.contains { $0.gradNorm != nil } && !parameters.isEmpty
        gradNorm = log.steps.enumerated().map { t, record in
            if let logged = record.gradNorm { return logged }
            let present = parameters.compactMap { $0.gradNorm[t] }
            return present.isEmpty ? nil : TensorStatistics.combinedNorm(present)
        }

        let groups = LayerGroups(parameters.map(\.info))
        var layerNorms = groups.names.map { LayerGradient(name: $0, norm: []) }
        for t in 0..<n {
            let norms = groups.norms(parameters.map { $0.gradNorm[t] })
            for k in layerNorms.indices { layerNorms[k].norm.append(norms[k]) }
        }
        layerGradients = layerNorms
        stepIsFinite = log.steps.map(\.isFinite)
    }

    /// The number of steps.
    var count: Int { steps.count }

    /// Whether each step is free of non-finite values (``RunStep/isFinite``).
    private(set) var stepIsFinite: [Bool] = []

    /// The index of the first step with a non-finite value; `nil` when none.
    var firstNonfiniteIndex: Int? { stepIsFinite.firstIndex(of: false) }

    /// The first `n` steps (epochs and non-finite locations up to them).
    func prefix(_ n: Int) -> RunSeries {
        var s = self
        s.steps = Array(steps.prefix(n))
        s.loss = Array(loss.prefix(n))
        s.gradNorm = Array(gradNorm.prefix(n))
        s.clippedGradNorm = Array(clippedGradNorm.prefix(n))
        for k in s.parameters.indices {
            s.parameters[k].gradNorm = Array(parameters[k].gradNorm.prefix(n))
            s.parameters[k].weightNorm = Array(parameters[k].weightNorm.prefix(n))
            s.parameters[k].updateNorm = Array(parameters[k].updateNorm.prefix(n))
        }
        for k in s.layerGradients.indices { s.layerGradients[k].norm = Array(layerGradients[k].norm.prefix(n)) }
        for k in s.activations.indices {
            s.activations[k].mean = Array(activations[k].mean.prefix(n))
            s.activations[k].std = Array(activations[k].std.prefix(n))
            s.activations[k].deadFraction = Array(activations[k].deadFraction.prefix(n))
            s.activations[k].saturatedFraction = Array(activations[k].saturatedFraction.prefix(n))
        }
        s.nonfinite = nonfinite.filter { $0.index < n }
        let last = steps.prefix(n).last ?? Int.min
        s.epochs = epochs.filter { ($0.step ?? Int.min) <= last }
        s.stepIsFinite = Array(stepIsFinite.prefix(n))
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
