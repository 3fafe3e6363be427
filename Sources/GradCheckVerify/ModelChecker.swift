import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// Verifies a model: every layer on its own, and the whole model with its loss, with
/// respect to the inputs and every trainable parameter.
///
/// ```swift
/// let model = try Model(spec: ModelSpec.load(path: "mlp.json"))
/// let parameters: ParameterSet<Double> = model.initialParameters(seed: 0)
/// let report = try ModelChecker().check(model, parameters: parameters, inputs: x, targets: y)
/// print(report.passed)
/// ```
public struct ModelChecker: Sendable {
    /// The element-wise checker (step, tolerances, sampling, threads).
    public var checker: GradientChecker
    /// The seed of dropout masks and of the layer checks' projections.
    public var seed: UInt64
    /// Check only this layer (on its own, and the model's gradient for its parameters).
    public var layer: String?
    /// Whether to check each layer on its own.
    public var checkLayers: Bool
    /// Whether to check the whole model with its loss.
    public var checkModel: Bool
    /// Called after each target (a layer, or the model) with the elements checked so far
    /// and the total planned, for a progress line; `nil` for none. The counts are of
    /// tensor elements (each capped at ``GradientChecker/maxElements``), a measure of the
    /// work, not an exact count of perturbations.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    /// A model checker.
    public init(checker: GradientChecker = GradientChecker(), seed: UInt64 = 0, layer: String? = nil,
                checkLayers: Bool = true, checkModel: Bool = true) {
        self.checker = checker
        self.seed = seed
        self.layer = layer
        self.checkLayers = checkLayers
        self.checkModel = checkModel
    }

    /// Runs the checks on one batch, in training mode (dropout active with masks fixed by
    /// ``seed``).
    ///
    /// - Throws: ``ModelError`` when the parameters or batch do not fit the model, or
    ///   ``layer`` names no layer.
    public func check(_ model: Model, parameters: ParameterSet<Double>, inputs: Tensor<Double>,
                      targets: Targets<Double>) throws(ModelError) -> CheckReport {
        let tensors = try model.orderedTensors(parameters)
        try model.checkInputs(inputs)
        if let layer, !model.layers.contains(where: { $0.name == layer }) {
            throw ModelError(path: "--layer", "no layer named \"\(layer)\" (layers: \(model.layers.map(\.name).joined(separator: ", ")))")
        }
        let context = ForwardContext(training: true, seed: seed)
        var results: [TensorCheckResult] = []
        let objective = ModelObjective(model: model, parameters: tensors, inputs: inputs, targets: targets, context: context)
        let capped = { (count: Int) in Swift.min(count, checker.maxElements ?? count) }
        let layerIndices = checkLayers ? model.layers.indices.filter { layer == nil || model.layers[$0].name == layer } : []
        let layerWork = layerIndices.map { i in
            capped(objective.activations[i].count) + tensors[model.parameterRanges[i]].reduce(0) { $0 + capped($1.count) }
        }
        let modelWork = checkModel ? capped(inputs.count) + tensors.reduce(0) { $0 + capped($1.count) } : 0
        let total = layerWork.reduce(0, +) + modelWork
        var done = 0
        for (k, i) in layerIndices.enumerated() {
            let l = model.layers[i]
            let layerObjective = LayerObjective(
                layer: l, parameters: Array(tensors[model.parameterRanges[i]]),
                input: objective.activations[i], context: context, seed: seed)
            results += checker.check(layerObjective, target: l.name)
            done += layerWork[k]
            progress?(done, total)
        }
        if checkModel {
            var only: Set<String>?
            if let layer { only = Set(model.parameters.filter { $0.layer == layer }.map(\.name)) }
            results += checker.check(objective, target: "model", only: only)
            progress?(total, total)
        }
        return CheckReport(model: model.name, loss: objective.loss, tolerance: checker.tolerance, results: results)
    }
}

/// The outcome of checking a model: one result per (target, parameter).
public struct CheckReport: Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The loss at the checked point.
    public var loss: Double
    /// The step and tolerances used.
    public var tolerance: CheckTolerance
    /// The results, layers first (in model order), then the whole model.
    public var results: [TensorCheckResult]

    /// Whether nothing failed (kinks do not fail a check).
    public var passed: Bool { results.allSatisfy { $0.status != .fail } }
    /// The number of elements checked in all.
    public var elementsChecked: Int { results.reduce(0) { $0 + $1.elementsChecked } }
}
