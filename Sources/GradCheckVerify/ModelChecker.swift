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
    /// Whether to check the ``BackwardContract``s of every target checked (each layer, and
    /// the model): a few backward passes each, a few percent of the element-wise check.
    public var checkContracts: Bool = true
    /// Called after each target (a layer, or the model) with the elements checked so far
    /// and the total planned, for a progress line; `nil` for none. The counts are of
    /// tensor elements (each capped by ``GradientChecker/selectedCount(count:)``), a measure of the
    /// work, not an exact count of perturbations.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    /// A model checker.
    public init(checker: GradientChecker = GradientChecker(), seed: UInt64 = 0, layer: String? = nil,
                checkLayers: Bool = true, checkModel: Bool = true, checkContracts: Bool = true) {
        self.checker = checker
        self.seed = seed
        self.layer = layer
        self.checkLayers = checkLayers
        self.checkModel = checkModel
        self.checkContracts = checkContracts
    }

    /// Runs the checks on one batch, in training mode (dropout active with masks fixed by
    /// ``seed``). A NaN or infinity in the parameters, the batch, a layer's output, the loss
    /// or a gradient stops it: the report then holds ``CheckReport/nonfinite`` (the first
    /// place) and no results, and does not pass.
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
        var skipped: [SkippedArgument] = []
        var contracts: [ContractResult] = []
        let contractChecker = ContractChecker(seed: seed)
        let objective = ModelObjective(model: model, parameters: tensors, inputs: inputs, targets: targets, context: context)
        let layerOutputs = Array(objective.values[model.inputs.count...])
        let nonfinite = NonfiniteValue.first(
            model: model, parameters: tensors, inputs: inputs, targets: targets, layerOutputs: layerOutputs,
            loss: { objective.loss },
            gradients: {
                let g = model.lossAndGradients(parameters: tensors, inputs: inputs, targets: targets, context: context)
                return (model.takesIndices ? [] : [(name: "inputs", tensor: g.inputs)]) + g.parameters.pairs.map { (name: $0.0, tensor: $0.1) }
            })
        if let nonfinite {
            return CheckReport(model: model.name, loss: objective.loss, tolerance: checker.tolerance, results: [],
                               nonfinite: nonfinite)
        }
        let capped = { (count: Int) in checker.selectedCount(count: count) }
        let layerIndices = checkLayers ? model.layers.indices.filter { layer == nil || model.layers[$0].name == layer } : []
        let layerWork = layerIndices.map { i in
            model.layerInputs[i].reduce(0) { $0 + capped(objective.values[model.slot($1)].count) }
                + tensors[model.parameterRanges[i]].reduce(0) { $0 + capped($1.count) }
        }
        let modelWork = checkModel ? capped(inputs.count) + tensors.reduce(0) { $0 + capped($1.count) } : 0
        let total = layerWork.reduce(0, +) + modelWork
        var done = 0
        // In topological order, each layer at its real inputs, with respect to each.
        for (k, i) in layerIndices.enumerated() {
            let l = model.layers[i]
            let sources = model.layerInputs[i]
            let layerObjective = LayerObjective(
                layer: l, parameters: Array(tensors[model.parameterRanges[i]]),
                inputs: sources.map { objective.values[model.slot($0)] }, inputNames: Self.inputNames(model, layer: i),
                context: context, seed: seed)
            results += checker.check(layerObjective, target: l.name)
            if checkContracts { contracts += contractChecker.check(layerObjective, target: l.name) }
            if l.takesIndices { skipped.append(.tokenIDs(target: l.name, layer: l.name)) }
            done += layerWork[k]
            progress?(done, total)
        }
        if checkModel {
            var only: Set<String>?
            if let layer { only = Set(model.parameters.filter { $0.layer == layer }.map(\.name)) }
            results += checker.check(objective, target: "model", only: only)
            if checkContracts { contracts += contractChecker.check(objective, target: "model") }
            if layer == nil {
                // Every integer model input is skipped, named by the layer that reads it.
                for (k, input) in model.inputs.enumerated() where input.isInteger {
                    let reader = model.layerInputs.firstIndex { $0.contains(.input(k)) }.map { model.layers[$0].name } ?? input.name
                    skipped.append(.tokenIDs(target: "model", layer: reader))
                }
            }
            progress?(total, total)
        }
        return CheckReport(model: model.name, loss: objective.loss, tolerance: checker.tolerance, results: results,
                           skipped: skipped, contracts: contracts)
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
    /// Arguments that were not perturbed, each with the reason (token ids into an
    /// `embedding` are integers, so the gradient with respect to them does not exist).
    public var skipped: [SkippedArgument]
    /// The first NaN or infinity in the parameters, the batch, or the forward or backward
    /// pass, when there is one: then nothing was checked (``results`` is empty) and the
    /// report does not pass.
    public var nonfinite: NonfiniteValue?
    /// The ``BackwardContract``s of each target, in the order of ``results`` (four per
    /// target); empty when they were not checked.
    public var contracts: [ContractResult]

    /// A report.
    public init(model: String, loss: Double, tolerance: CheckTolerance, results: [TensorCheckResult],
                skipped: [SkippedArgument] = [], nonfinite: NonfiniteValue? = nil, contracts: [ContractResult] = []) {
        self.model = model
        self.loss = loss
        self.tolerance = tolerance
        self.results = results
        self.skipped = skipped
        self.nonfinite = nonfinite
        self.contracts = contracts
    }

    /// Whether nothing failed (kinks do not fail a check): every result and every contract.
    public var passed: Bool {
        nonfinite == nil && results.allSatisfy { $0.status != .fail } && contracts.allSatisfy { $0.status == .pass }
    }
    /// The number of elements checked in all.
    public var elementsChecked: Int { results.reduce(0) { $0 + $1.elementsChecked } }
}

/// An argument a check left out on purpose, and why.
public struct SkippedArgument: Sendable, Equatable {
    /// The target (a layer name, or `model`).
    public var target: String
    /// The argument (`inputs`).
    public var parameter: String
    /// Why it was not perturbed.
    public var reason: String

    /// A skipped argument.
    public init(target: String, parameter: String, reason: String) {
        self.target = target
        self.parameter = parameter
        self.reason = reason
    }

    /// The inputs of `target` are token ids read by the embedding `layer`.
    static func tokenIDs(target: String, layer: String) -> SkippedArgument {
        SkippedArgument(target: target, parameter: "inputs",
                        reason: "token ids (integers) into the embedding \(layer): not differentiable, so not perturbed")
    }
}
