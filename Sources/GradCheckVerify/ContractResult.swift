/// The outcome of one ``BackwardContract`` on one target (a layer, or `model`).
public struct ContractResult: Sendable, Equatable {
    /// The layer's name, or `model`.
    public var target: String
    /// The contract checked.
    public var contract: BackwardContract
    /// ``CheckStatus/pass`` or ``CheckStatus/fail`` (contracts have no kinks).
    public var status: CheckStatus
    /// The largest deviation measured over every argument: for ``BackwardContract/linearity``
    /// relative to the gradients' scale, otherwise the largest absolute difference (from
    /// zero, from the first pass, from the value before the passes). NaN counts as a failure.
    public var deviation: Double
    /// The largest deviation allowed: ``ContractChecker/linearityTolerance`` for linearity,
    /// 0 for the exact contracts.
    public var allowed: Double
    /// Where the contract broke worst, when it did.
    public var worst: ContractElement?

    /// A contract result.
    public init(target: String, contract: BackwardContract, status: CheckStatus, deviation: Double, allowed: Double,
                worst: ContractElement? = nil) {
        self.target = target
        self.contract = contract
        self.status = status
        self.deviation = deviation
        self.allowed = allowed
        self.worst = worst
    }
}
