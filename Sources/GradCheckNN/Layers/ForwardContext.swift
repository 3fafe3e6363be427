/// What a forward pass needs besides inputs and parameters.
///
/// - `training`: dropout is active (and, later, batch statistics are used) only in training.
/// - `seed`: the seed of every random choice in the pass (dropout masks).
/// - `rowSource`: for a batch the verifier built by stacking copies of rows of an
///   original batch, the original row of each row. Stochastic layers draw their masks for
///   the original batch and gather these rows, so a perturbed copy sees the same mask as
///   the row it copies. `nil` means the batch is the original.
/// - `originalBatchSize`: the size of that original batch.
/// - `augments`: data-augmentation layers transform their input (only the trainer's steps
///   set it; the verifier and inference leave it off, so augmentation is the identity there).
public struct ForwardContext: Sendable {
    /// Whether the pass is a training step.
    public var training: Bool
    /// The seed of the pass's random choices.
    public var seed: UInt64
    /// The original row of each row of a stacked batch, or `nil`.
    public var rowSource: [Int]?
    /// The batch size the masks are drawn for when `rowSource` is set.
    public var originalBatchSize: Int
    /// Whether augmentation layers are active (a training step; see ``AugmentationLayer``).
    public var augments = false

    /// A context for an ordinary pass over an original batch.
    public init(training: Bool, seed: UInt64 = 0) {
        self.training = training
        self.seed = seed
        self.rowSource = nil
        self.originalBatchSize = 0
    }

    /// A context for a stacked batch whose rows copy rows of an original batch.
    public func stacked(rowSource: [Int], originalBatchSize: Int) -> ForwardContext {
        var c = self
        c.rowSource = rowSource
        c.originalBatchSize = originalBatchSize
        return c
    }
}
