import GradCheckTensor

/// The targets of a batch, in the form the model's loss takes them.
public enum Targets<Scalar: TensorScalar>: Sendable, Equatable {
    /// Values with the output's shape: regression targets, one-hot or soft class
    /// probabilities, binary labels.
    case values(Tensor<Scalar>)
    /// One class index per output row (sparse categorical cross-entropy).
    case labels([Int])

    /// The targets of the rows `indices` of the batch, in that order (for stacked batches).
    public func gatherSamples(_ indices: [Int], batchSize: Int) -> Targets {
        switch self {
        case let .values(t): return .values(t.gatherRows(indices))
        case let .labels(l):
            let per = batchSize == 0 ? 0 : l.count / batchSize
            var out: [Int] = []
            out.reserveCapacity(indices.count * per)
            for i in indices { out.append(contentsOf: l[(i * per)..<((i + 1) * per)]) }
            return .labels(out)
        }
    }
}
