/// One layer's activation statistics at one step: the `layers` entries of a `step` line.
public struct LayerStats: Sendable, Equatable {
    /// The layer's name.
    public var name: String
    /// The mean of the layer's outputs over the batch.
    public var mean: Double?
    /// Their (population) standard deviation.
    public var std: Double?
    /// The fraction of units (columns of the last axis) whose output is `<= 0` for the
    /// whole batch; ReLU-family layers only.
    public var deadFraction: Double?
    /// The fraction of outputs within 1% of the activation's bounds; bounded activations
    /// only.
    public var saturatedFraction: Double?
    /// The normalised entropy of an attention layer's probabilities, in `0...1`: for each
    /// query row with `n ≥ 2` visible keys, `−Σ p·log p / log n`, averaged over the rows of
    /// the batch and every head. 1 is uniform attention; 0 is every query attending to a
    /// single key (collapsed attention). Attention layers only.
    public var attentionEntropy: Double?

    /// Creates the statistics of one layer.
    public init(name: String, mean: Double? = nil, std: Double? = nil, deadFraction: Double? = nil,
                saturatedFraction: Double? = nil, attentionEntropy: Double? = nil) {
        self.name = name
        self.mean = mean
        self.std = std
        self.deadFraction = deadFraction
        self.saturatedFraction = saturatedFraction
        self.attentionEntropy = attentionEntropy
    }
}
