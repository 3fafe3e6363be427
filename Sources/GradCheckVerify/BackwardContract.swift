/// A property every backward pass (VJP) must have whatever the cotangent, checked beside
/// the gradient values by ``ModelChecker`` for every layer and for the model.
///
/// A VJP can be right at the one cotangent a check uses and still be wrong: nonlinear in
/// the cotangent, nonzero at a zero cotangent, different on a second call, or writing
/// into the tensors it reads. Each contract costs a few backward passes, far less than the
/// element-wise check.
public enum BackwardContract: String, Sendable, CaseIterable, Codable {
    /// `vjp(a·u + b·w) = a·vjp(u) + b·vjp(w)` for seeded random cotangents `u`, `w` and
    /// scalars `a`, `b`, within ``ContractChecker/linearityTolerance`` of the gradients' scale (the
    /// largest over the target's tensors).
    case linearity
    /// A zero cotangent gives exactly zero gradients (no tolerance: `0 · x` is exact).
    case zeroCotangent = "zero_cotangent"
    /// Two backward passes from one forward pass, and a second forward and backward pass,
    /// give bit-identical gradients (no tolerance: every kernel reduces in a fixed order,
    /// whatever the thread count).
    case determinism
    /// The forward and backward passes leave the inputs and parameters they read
    /// bit-identical.
    case immutability

    /// The contract as the text report names it (`zero cotangent`).
    public var title: String {
        switch self {
        case .linearity: "linearity"
        case .zeroCotangent: "zero cotangent"
        case .determinism: "determinism"
        case .immutability: "immutability"
        }
    }
}
