/// One parameter tensor's numbers at one step: the `params` entries of a `step` line.
///
/// Only ``gradNorm`` is required in a log; the monitor writes the rest when it has them.
public struct ParameterStats: Sendable, Equatable {
    /// The parameter's name.
    public var name: String
    /// The L2 norm of its raw gradient (before clipping).
    public var gradNorm: Double
    /// The largest magnitude of the raw gradient.
    public var gradMax: Double?
    /// The L2 norm of the parameter after the step's update.
    public var weightNorm: Double?
    /// The L2 norm of the step's update (new value minus old value).
    public var updateNorm: Double?
    /// The fraction of the raw gradient's elements that are exactly zero (`grad_zero_fraction`
    /// in a log). For a bias vector it is the fraction of units that got no gradient from
    /// any sample of the batch: a dead ReLU unit's bias gradient is exactly zero, a
    /// vanishing one's is merely small, so this tells the two apart from the gradients
    /// alone.
    public var gradZeroFraction: Double?

    /// Creates the numbers of one parameter.
    public init(name: String, gradNorm: Double, gradMax: Double? = nil, weightNorm: Double? = nil,
                updateNorm: Double? = nil, gradZeroFraction: Double? = nil) {
        self.name = name
        self.gradNorm = gradNorm
        self.gradMax = gradMax
        self.weightNorm = weightNorm
        self.updateNorm = updateNorm
        self.gradZeroFraction = gradZeroFraction
    }

    /// `updateNorm / weightNorm` when both are known and the weight norm is not zero.
    public var updateRatio: Double? {
        guard let u = updateNorm, let w = weightNorm, w > 0 else { return nil }
        return u / w
    }
}
