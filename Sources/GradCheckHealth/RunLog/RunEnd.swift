/// The last line of a run log: how the run ended.
public struct RunEnd: Sendable, Equatable {
    /// How the run ended.
    public var status: RunStatus
    /// The last step recorded, when known.
    public var step: Int?

    /// Creates an end record.
    public init(status: RunStatus, step: Int? = nil) {
        self.status = status
        self.step = step
    }
}
