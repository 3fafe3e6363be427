import GradCheckClipping
import GradCheckNN

/// Everything a training run is told besides the model and the data: the `training`
/// block of a spec (FORMATS.md §1) with defaults for what it leaves out, plus the
/// toolkit's own settings.
///
/// Defaults: Adam (Keras defaults), no clipping, 10 epochs, batch size 32 (Keras'
/// `fit` default), no validation split, seed 0, no early stopping, shuffled batches,
/// `Float` arithmetic is chosen by the trainer's type, and a non-finite loss or gradient
/// stops the run (`diverged`).
public struct TrainingConfiguration: Sendable, Equatable {
    /// The optimiser. Its Keras clipping keys (`clipnorm`, ...) become ``clipping`` when
    /// that is not set (see ``effectiveClipping``).
    public var optimizer: OptimizerSpec
    /// The clipping policy; `nil` for none (or the optimiser's Keras clipping).
    public var clipping: ClippingSpec?
    /// Passes over the training data.
    public var epochs: Int
    /// Samples per step.
    public var batchSize: Int
    /// The fraction of the data held out for validation, in [0, 1).
    public var validationSplit: Double
    /// The seed of every random choice: the split, the initial weights (when the trainer
    /// draws them), the shuffling of each epoch and the dropout masks of each step.
    public var seed: UInt64
    /// When to stop early.
    public var earlyStopping: EarlyStoppingSpec?
    /// Whether each epoch visits the training samples in a new seeded order (Keras' `shuffle=True`).
    public var shuffle: Bool
    /// Whether a non-finite loss or gradient ends the run as `diverged` before the
    /// update is applied (`--stop-on-nonfinite`, on by default). With a non-finite rule of
    /// ``NonFiniteRule/skipStep`` or ``NonFiniteRule/zero`` the rule deals with the step
    /// instead and the run goes on.
    public var stopOnNonFinite: Bool
    /// What the clipping stage does with NaN and infinite gradients (GradCheckClipping's
    /// rule, applied before the policy). The default, ``NonFiniteRule/propagate``, leaves
    /// them for ``stopOnNonFinite`` to act on (or, with that off, for the update to carry
    /// into the weights, as PyTorch and Keras do).
    public var nonFinite: NonFiniteRule
    /// The arithmetic of norm-threshold clipping: exact, or PyTorch's `clip_grad_norm_`
    /// bit for bit (see GradCheckClipping's `ClipCompatibility`).
    public var clippingCompatibility: ClipCompatibility
    /// How the validation samples are chosen.
    public var splitOrder: Dataset.SplitOrder

    /// A configuration with the defaults above.
    public init(optimizer: OptimizerSpec = OptimizerSpec(kind: .adam), clipping: ClippingSpec? = nil, epochs: Int = 10,
                batchSize: Int = 32, validationSplit: Double = 0, seed: UInt64 = 0,
                earlyStopping: EarlyStoppingSpec? = nil, shuffle: Bool = true, stopOnNonFinite: Bool = true,
                nonFinite: NonFiniteRule = .propagate, clippingCompatibility: ClipCompatibility = .exact,
                splitOrder: Dataset.SplitOrder = .shuffled) {
        self.optimizer = optimizer
        self.clipping = clipping
        self.epochs = epochs
        self.batchSize = batchSize
        self.validationSplit = validationSplit
        self.seed = seed
        self.earlyStopping = earlyStopping
        self.shuffle = shuffle
        self.stopOnNonFinite = stopOnNonFinite
        self.nonFinite = nonFinite
        self.clippingCompatibility = clippingCompatibility
        self.splitOrder = splitOrder
    }

    /// The configuration a spec's `training` block gives, with the defaults for what it
    /// leaves out.
    public init(_ spec: TrainingSpec?) {
        self.init()
        guard let spec else { return }
        if let o = spec.optimizer { optimizer = o }
        clipping = spec.clipping
        if let e = spec.epochs { epochs = e }
        if let b = spec.batchSize { batchSize = b }
        if let v = spec.validationSplit { validationSplit = v }
        if let s = spec.seed { seed = s }
        earlyStopping = spec.earlyStopping
    }

    /// The clipping in effect: ``clipping`` or else the optimiser's Keras clipping
    /// (`clipnorm` → per-tensor norm, `clipvalue` → value, `global_clipnorm` → global norm).
    public var effectiveClipping: ClippingSpec { clipping ?? optimizer.kerasClipping ?? .none }
}
