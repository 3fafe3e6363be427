/// One optimiser step: a `step` line of the run log.
///
/// ```json
/// {"event": "step", "step": 1, "epoch": 1, "loss": 2.31, "grad_norm": 0.9, "clipped_grad_norm": 0.9,
///  "learning_rate": 0.001,
///  "params": {"dense_1/kernel": {"grad_norm": 0.42, "grad_max": 0.05, "weight_norm": 11.3, "update_norm": 0.0004}},
///  "layers": {"dense_1": {"mean": 0.1, "std": 0.9, "dead_fraction": 0.02}},
///  "nonfinite": []}
/// ```
///
/// Only ``step``, ``loss`` and each parameter's `grad_norm` are required.
public struct RunStep: Sendable, Equatable {
    /// The step number (1-based in logs this toolkit writes).
    public var step: Int
    /// The epoch the step belongs to (1-based), when known.
    public var epoch: Int?
    /// The training loss of the step's batch (may be NaN or infinite).
    public var loss: Double
    /// The global L2 norm of all raw gradients, before clipping.
    public var gradNorm: Double?
    /// The global L2 norm after clipping.
    public var clippedGradNorm: Double?
    /// The learning rate used for the step.
    public var learningRate: Double?
    /// Per-parameter numbers, in model order.
    public var parameters: [ParameterStats]
    /// Per-layer activation statistics, in model order (only on steps that measured them).
    public var layers: [LayerStats]
    /// Where NaN or infinity first appeared in the step, if anywhere.
    public var nonfinite: [NonfiniteOrigin]

    /// Creates a step record.
    public init(step: Int, epoch: Int? = nil, loss: Double, gradNorm: Double? = nil, clippedGradNorm: Double? = nil,
                learningRate: Double? = nil, parameters: [ParameterStats] = [], layers: [LayerStats] = [],
                nonfinite: [NonfiniteOrigin] = []) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.gradNorm = gradNorm
        self.clippedGradNorm = clippedGradNorm
        self.learningRate = learningRate
        self.parameters = parameters
        self.layers = layers
        self.nonfinite = nonfinite
    }
}

extension RunStep {
    /// Whether the step is free of non-finite values: the loss, the global norm, every
    /// parameter's norms and every layer's statistics are finite, and no origin of a NaN
    /// or infinity was located.
    public var isFinite: Bool {
        guard nonfinite.isEmpty, loss.isFinite, (gradNorm ?? 0).isFinite else { return false }
        for p in parameters {
            guard p.gradNorm.isFinite, (p.gradMax ?? 0).isFinite, (p.weightNorm ?? 0).isFinite,
                  (p.updateNorm ?? 0).isFinite else { return false }
        }
        for l in layers {
            guard (l.mean ?? 0).isFinite, (l.std ?? 0).isFinite else { return false }
        }
        return true
    }
}
