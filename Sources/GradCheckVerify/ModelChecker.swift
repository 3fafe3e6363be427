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
        if checkLayers {
            // In topological order, each layer at its real inputs, with respect to each.
            for (i, l) in model.layers.enumerated() where layer == nil || l.name == layer {
                let sources = model.layerInputs[i]
                let layerObjective = LayerObjective(
                    layer: l, parameters: Array(tensors[model.parameterRanges[i]]),
                    inputs: sources.map { objective.values[model.slot($0)] }, inputNames: Self.inputNames(model, layer: i),
                    context: context, seed: seed)
                results += checker.check(layerObjective, target: l.name)
            }
        }
        if checkModel {
            var only: Set<String>?
            if let layer { only = Set(model.parameters.filter { $0.layer == layer }.map(\.name)) }
            results += checker.check(objective, target: "model", only: only)
        }
        return CheckReport(model: model.name, loss: objective.loss, tolerance: checker.tolerance, results: results)
    }

    /// How layer `i`'s inputs are named in findings: `inputs` for a single-input layer,
    /// `inputs["source"]` (the layer or model input it reads) for several.
    static func inputNames(_ model: Model, layer i: Int) -> [String] {
        let sources = model.layerInputs[i]
        guard sources.count > 1 else { return ["inputs"] }
        let names = sources.map { source -> String in
            switch source {
            case let .input(k): return model.inputs[k].name
            case let .layer(j): return model.layers[j].name
            }
        }
        return names.enumerated().map { k, name in
            names.filter { $0 == name }.count > 1 ? "inputs[\(k)]" : "inputs[\"\(name)\"]"
        }
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
