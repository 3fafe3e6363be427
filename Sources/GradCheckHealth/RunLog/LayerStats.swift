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

    /// Creates the statistics of one layer.
    public init(name: String, mean: Double? = nil, std: Double? = nil, deadFraction: Double? = nil,
                saturatedFraction: Double? = nil) {
        self.name = name
        self.mean = mean
        self.std = std
        self.deadFraction = deadFraction
        self.saturatedFraction = saturatedFraction
    }
}
