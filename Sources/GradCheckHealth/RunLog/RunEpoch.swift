/// The end of an epoch: an `epoch` line of the run log, with the metrics known.
public struct RunEpoch: Sendable, Equatable {
    /// The epoch number (1-based).
    public var epoch: Int
    /// The last step of the epoch, when known.
    public var step: Int?
    /// The mean training loss over the epoch.
    public var loss: Double?
    /// The validation loss.
    public var valLoss: Double?
    /// The training accuracy.
    public var accuracy: Double?
    /// The validation accuracy.
    public var valAccuracy: Double?

    /// Creates an epoch record.
    public init(epoch: Int, step: Int? = nil, loss: Double? = nil, valLoss: Double? = nil, accuracy: Double? = nil,
                valAccuracy: Double? = nil) {
        self.epoch = epoch
        self.step = step
        self.loss = loss
        self.valLoss = valLoss
        self.accuracy = accuracy
        self.valAccuracy = valAccuracy
    }
}
