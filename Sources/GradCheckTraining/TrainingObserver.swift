import GradCheckClipping
import GradCheckHealth
import GradCheckNN
import GradCheckTensor

/// Something that watches a training run: the health monitor, a progress printer, a
/// test. The trainer calls it at the start, after every step, after every epoch and at
/// the end, on the training thread.
///
/// Everything an observer receives is borrowed for the call: tensors are copy-on-write
/// values, so keeping one is safe but makes the trainer copy its buffer on the next step.
/// Every method has a default that does nothing, so an observer implements only what it uses.
public protocol TrainingObserver: AnyObject {
    /// Whether step records should carry each layer's output (``StepRecord/activations``).
    /// Capturing costs nothing on the tape; computing statistics from them is the observer's cost.
    var wantsActivations: Bool { get }
    /// Whether step records should carry each parameter's update (``StepRecord/updates``).
    var wantsUpdates: Bool { get }

    /// The run begins.
    func trainingWillBegin(_ run: TrainingRun)
    /// One optimiser step (or a step that was skipped or stopped) has happened.
    /// Return ``ObserverDecision/stop(_:reason:)`` to end the run after this step.
    func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision
    /// An epoch has ended (validation included).
    func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision
    /// The run has ended, normally or not (called once, also when the trainer throws).
    func trainingDidEnd(_ end: TrainingEnd)
}

extension TrainingObserver {
    public var wantsActivations: Bool { false }
    public var wantsUpdates: Bool { false }
    public func trainingWillBegin(_ run: TrainingRun) {}
    public func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision { .proceed }
    public func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision { .proceed }
    public func trainingDidEnd(_ end: TrainingEnd) {}
}

/// What an observer wants after a step or an epoch.
public enum ObserverDecision: Sendable, Equatable {
    /// Go on.
    case proceed
    /// End the run with this status (usually ``TrainingStatus/diverged`` or
    /// ``TrainingStatus/interrupted``) and a reason for the log.
    case stop(TrainingStatus, reason: String)
}

/// How a run ended: the `run_end` statuses of FORMATS.md §3 (`completed`,
/// `stopped_early`, `diverged`, `interrupted`), the same type the health monitor logs.
public typealias TrainingStatus = RunStatus

/// What a run is about, given to observers at its start.
public struct TrainingRun: Sendable {
    /// The model's name.
    public var modelName: String
    /// The model (layers and parameter descriptors).
    public var model: Model
    /// The trainable parameters the step records list, in order.
    public var parameters: [ParameterDescriptor]
    /// The configuration.
    public var configuration: TrainingConfiguration
    /// `"float32"` or `"float64"`.
    public var dtype: String
    /// Training and validation sample counts (0 when a custom loop calls steps directly).
    public var trainingSamples: Int
    /// The validation sample count (0 without a validation part).
    public var validationSamples: Int
    /// Steps per epoch (0 when unknown).
    public var stepsPerEpoch: Int
}

/// Layer `layer`'s output on a step's batch (after its activation).
public struct LayerActivation<S: TensorScalar>: Sendable {
    /// The layer's name (`dense_1`).
    public var layer: String
    /// The layer's type name (`dense`).
    public var typeName: String
    /// The activation applied last inside the layer (ReLU family: dead units; sigmoid,
    /// tanh, ...: saturation).
    public var activation: Activation
    /// The output, `[batch] + outputShape`.
    public var output: Tensor<S>
    /// For a multi-head attention layer, its attention probabilities `[batch, heads,
    /// queries, keys]`: what a health monitor measures of it (their entropy); `nil` for
    /// every other layer.
    public var attentionProbabilities: Tensor<S>?
}

/// One step as observers see it.
public struct StepRecord<S: TensorScalar>: Sendable {
    /// The step number, from 1, counted over the whole run.
    public var step: Int
    /// The epoch, from 1.
    public var epoch: Int
    /// The samples in the batch.
    public var batchSize: Int
    /// The loss of the batch (regularisation included), before the update.
    public var loss: Double
    /// The names of the trainable parameters, in the order of the tensor lists below.
    public var parameterNames: [String]
    /// Each trainable parameter's gradient as the backward pass produced it.
    public var gradients: [Tensor<S>]
    /// The gradients the optimiser received (after clipping and the non-finite rule).
    public var clippedGradients: [Tensor<S>]
    /// The trainable parameters after the step.
    public var parameters: [Tensor<S>]
    /// Each parameter's change (new − old), when an observer asked for updates.
    public var updates: [Tensor<S>]?
    /// The global L2 norm of ``gradients`` (before clipping).
    public var gradNorm: Double
    /// The global L2 norm of ``clippedGradients``.
    public var clippedGradNorm: Double
    /// What the clipping stage did (norms before and after, whether it triggered, the
    /// fraction clipped, the cosine to the raw gradient, the non-finite rule's action).
    public var clipping: ClipTelemetry
    /// The learning rate of the step.
    public var learningRate: Double
    /// Each layer's output, when an observer asked for activations.
    public var activations: [LayerActivation<S>]?
    /// Where NaN or infinity first appeared, empty on a finite step.
    public var nonFinite: [NonfiniteOrigin]
    /// Whether the optimiser applied the update (false for a skipped or stopped step).
    public var applied: Bool
    /// Wall-clock seconds of the step: batch, forward, backward, clipping and update.
    public var seconds: Double
}

/// One epoch's summary.
public struct EpochRecord: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Loss and accuracy, training and validation.
    public var metrics: EpochMetrics
    /// The steps of the epoch.
    public var steps: Int
    /// The last step number of the epoch.
    public var lastStep: Int
    /// Seconds of the whole epoch, validation included.
    public var seconds: Double
    /// Mean seconds of a training step.
    public var meanStepSeconds: Double
    /// Early stopping's view of the epoch, if it is on.
    public var earlyStopping: EarlyStopping.Decision?
}

/// How a run ended.
public struct TrainingEnd: Sendable {
    /// The status of `run_end`.
    public var status: TrainingStatus
    /// Why, in words (empty for a completed run).
    public var reason: String
    /// Steps taken.
    public var steps: Int
    /// Epochs finished.
    public var epochs: Int
    /// The best epoch of early stopping, if it ran.
    public var bestEpoch: Int?
    /// Whether the best epoch's weights were restored.
    public var restoredBestWeights: Bool
    /// Seconds of the run.
    public var seconds: Double
}
