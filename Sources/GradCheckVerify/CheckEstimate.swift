import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// What a check is expected to cost before it runs, from timing a few of its own
/// evaluations: for each tensor of the whole-model objective, one batch of up to
/// ``ModelChecker/calibrationElements`` perturbations (both signs) is timed, and its
/// cost per evaluation is multiplied by the evaluations the check plans for that tensor.
public struct CheckEstimate: Sendable, Equatable {
    /// The objective evaluations planned (two per element in full mode, two per probe
    /// otherwise; the retries of disagreeing elements are not counted).
    public var evaluations: Int
    /// The estimated wall time in seconds, on the given threads.
    public var seconds: Double
    /// The wall time the calibration itself took.
    public var calibrationSeconds: Double

    /// An estimate; see the properties.
    public init(evaluations: Int, seconds: Double, calibrationSeconds: Double) {
        self.evaluations = evaluations
        self.seconds = seconds
        self.calibrationSeconds = calibrationSeconds
    }
}

extension ModelChecker {
    /// Perturbations timed per tensor by ``estimate(_:parameters:inputs:targets:)``: one
    /// batched call, so the per-evaluation cost includes the batching the check gets.
    public static let calibrationElements = 32

    /// The estimated cost of ``check(_:parameters:inputs:targets:)`` with these settings.
    ///
    /// Layer checks are counted at the cost per evaluation of the model's check of the
    /// same parameters (an upper bound: a layer alone is cheaper than the model
    /// downstream of it), and a layer's inputs at the cost of its first parameter's.
    /// Threads divide the time (the check's chunks run in parallel).
    ///
    /// - Complexity: about `2 × calibrationElements` evaluations per tensor.
    /// - Throws: ``ModelError`` when the parameters or batch do not fit the model.
    public func estimate(_ model: Model, parameters: ParameterSet<Double>, inputs: Tensor<Double>,
                         targets: Targets<Double>) throws(ModelError) -> CheckEstimate {
        let start = Date()
        let tensors = try model.orderedTensors(parameters)
        try model.checkInputs(inputs)
        let objective = ModelObjective(model: model, parameters: tensors, inputs: inputs, targets: targets,
                                       context: ForwardContext(training: true, seed: seed))
        // Seconds per evaluation of each whole-model argument, by name.
        var cost: [String: Double] = [:]
        for (a, argument) in objective.arguments.enumerated() {
            let n = Swift.min(argument.value.count, Self.calibrationElements)
            guard n > 0 else { continue }
            let elements = (0..<n).flatMap { [$0, $0] }
            let values = (0..<n).flatMap { [argument.value.scalars[$0] + checker.tolerance.step, argument.value.scalars[$0] - checker.tolerance.step] }
            let t0 = Date()
            _ = objective.deltas(argument: a, elements: elements, values: values)
            cost[argument.name] = Date().timeIntervalSince(t0) / Double(2 * n)
        }
        let perTensor = { (count: Int) -> Int in
            switch checker.mode {
            case .full: return 2 * checker.selectedCount(count: count)
            case let .fast(probes), let .dotProduct(probes): return 2 * probes
            // About 8 evaluations per probe: the 11 steps of the remainder, and the directional re-examination.
            case let .taylor(probes): return 8 * probes
            }
        }
        var evaluations = 0
        var seconds = 0.0
        func add(_ count: Int, _ perEvaluation: Double) {
            let e = perTensor(count)
            evaluations += e
            seconds += Double(e) * perEvaluation
        }
        let layerIndices = checkLayers ? model.layers.indices.filter { layer == nil || model.layers[$0].name == layer } : []
        let inputCost = objective.arguments.first.flatMap { cost[$0.name] } ?? 0
        for i in layerIndices {
            let own = model.parameterRanges[i].filter { model.parameters[$0].trainable }
            let layerCost = own.first.flatMap { cost[model.parameters[$0].name] } ?? inputCost
            for source in model.layerInputs[i] { add(objective.values[model.slot(source)].count, layerCost) }
            for p in own { add(tensors[p].count, cost[model.parameters[p].name] ?? layerCost) }
        }
        if checkModel {
            for argument in objective.arguments {
                if let layer, !model.parameters.contains(where: { $0.layer == layer && $0.name == argument.name }) { continue }
                add(argument.value.count, cost[argument.name] ?? 0)
            }
        }
        let threads = Double(Swift.max(1, Swift.min(checker.threads ?? _processorCount(), _processorCount())))
        return CheckEstimate(evaluations: evaluations, seconds: seconds / threads,
                             calibrationSeconds: Date().timeIntervalSince(start))
    }
}
