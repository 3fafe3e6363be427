import GradCheckHealth
import GradCheckNN
import GradCheckTensor

/// The health monitor as a ``TrainingObserver``: the trainer's steps and epochs go to a
/// ``HealthMonitor`` through the same public API a hand-written loop uses
/// (`recordStep`, `recordEpoch`, `finish`), so the run log, the live alerts and the
/// report are the same whichever loop produced them.
///
/// Each step passes the raw gradients, the parameters after the update, the updates, the
/// global norms before and after clipping, the learning rate, where a NaN or infinity
/// first appeared, and, on the steps the monitor measures them
/// (``HealthMonitor/measuresActivations``), every layer's output.
///
/// With ``stopsOnNonFinite`` the run ends as `diverged` as soon as the monitor has seen a
/// non-finite value (a loss, gradient, weight, update or activation).
///
/// ```swift
/// let observer = try HealthMonitorObserver(model: model, log: RunLogWriter(path: "run.jsonl"))
/// trainer.observers.append(observer)
/// let result = try trainer.fit(data)
/// print(observer.monitor.report().text())
/// ```
public final class HealthMonitorObserver: TrainingObserver {
    /// The monitor fed by this observer.
    public let monitor: HealthMonitor
    /// Whether a non-finite value seen by the monitor stops the run (`diverged`).
    public var stopsOnNonFinite: Bool
    /// The first error the monitor raised (a log that cannot be written, a name it does
    /// not know); recording stops after it, training does not.
    public private(set) var error: HealthMonitorError?
    /// The parameter names last found to be the monitor's, in its order (checked once per
    /// list of names, not per step).
    private var orderedNames: [String]?

    /// Wraps a monitor whose parameters are the model's trainable parameters and whose
    /// layers are the model's layers (see ``RunParameter/parameters(of:)`` and
    /// ``RunLayer/layers(of:)``).
    public init(monitor: HealthMonitor, stopsOnNonFinite: Bool = true) {
        self.monitor = monitor
        self.stopsOnNonFinite = stopsOnNonFinite
    }

    /// A monitor for `model`, writing to `log` (or keeping the records in memory only).
    ///
    /// - Throws: ``HealthMonitorError`` when the `run_start` line cannot be written.
    public convenience init(model: Model, log: RunLogWriter? = nil, options: MonitorOptions = MonitorOptions(),
                            stopsOnNonFinite: Bool = true) throws(HealthMonitorError) {
        let monitor = try HealthMonitor(model: model.name, parameters: RunParameter.parameters(of: model),
                                        layers: RunLayer.layers(of: model), log: log, options: options)
        self.init(monitor: monitor, stopsOnNonFinite: stopsOnNonFinite)
    }

    public var wantsActivations: Bool { error == nil && monitor.measuresActivations }
    public var wantsUpdates: Bool { error == nil && monitor.measuresWeights }

    public func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision {
        guard error == nil, !monitor.isFinished else { return .proceed }
        var activations: [String: any MonitoredValues] = [:]
        // An attention layer is measured by its probabilities (ActivationKind.attention).
        for a in step.activations ?? [] { activations[a.layer] = a.attentionProbabilities ?? a.output }
        do {
            if inMonitorOrder(step.parameterNames) {
                // The trainer's parameters are the monitor's, in its order: no name lookups.
                let weighs = monitor.measuresWeights
                try monitor.recordStep(
                    loss: step.loss, ordered: step.gradients, parameters: weighs ? step.parameters : [],
                    updates: weighs ? step.updates ?? [] : [], gradNorm: step.gradNorm,
                    clippedGradNorm: step.clippedGradNorm, learningRate: step.learningRate, activations: activations,
                    nonfinite: step.nonFinite, step: step.step, epoch: step.epoch)
            } else {
                var gradients: [String: any MonitoredValues] = [:]
                var parameters: [String: any MonitoredValues] = [:]
                var updates: [String: any MonitoredValues] = [:]
                for (k, name) in step.parameterNames.enumerated() {
                    gradients[name] = step.gradients[k]
                    parameters[name] = step.parameters[k]
                    if let u = step.updates { updates[name] = u[k] }
                }
                try monitor.recordStep(loss: step.loss, gradients: gradients, parameters: parameters, updates: updates,
                                       gradNorm: step.gradNorm, clippedGradNorm: step.clippedGradNorm,
                                       learningRate: step.learningRate, activations: activations,
                                       nonfinite: step.nonFinite, step: step.step, epoch: step.epoch)
            }
        } catch {
            self.error = error
            return .proceed
        }
        if stopsOnNonFinite && monitor.hasGoneNonfinite {
            let origin = step.nonFinite.first.map { ", first in \($0.summary)" } ?? ""
            return .stop(.diverged, reason: "the health monitor saw a non-finite value at step \(step.step)\(origin)")
        }
        return .proceed
    }

    public func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision {
        guard error == nil, !monitor.isFinished else { return .proceed }
        let m = epoch.metrics
        do {
            try monitor.recordEpoch(loss: m.loss, valLoss: m.validationLoss, accuracy: m.accuracy,
                                    valAccuracy: m.validationAccuracy)
        } catch {
            self.error = error
        }
        return .proceed
    }

    public func trainingDidEnd(_ end: TrainingEnd) {
        do {
            try monitor.finish(status: end.status)
        } catch {
            if self.error == nil { self.error = error }
        }
    }

    /// Whether `names` are the monitor's parameters in the monitor's order.
    private func inMonitorOrder(_ names: [String]) -> Bool {
        if let orderedNames, orderedNames == names { return true }
        guard names.count == monitor.parameters.count,
              zip(names, monitor.parameters).allSatisfy({ $0 == $1.name }) else { return false }
        orderedNames = names
        return true
    }
}
