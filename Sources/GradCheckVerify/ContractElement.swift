/// The element where a ``BackwardContract`` broke: the tensor, the index, and the value
/// the contract expects against the one found.
public struct ContractElement: Sendable, Equatable {
    /// The tensor: the gradient of an argument (`inputs`, a parameter name) or, for
    /// immutability, the argument itself.
    public var tensor: String
    /// The element's per-axis index.
    public var index: [Int]
    /// What the contract expects there (`a·vjp(u) + b·vjp(w)`, 0, the first pass's value,
    /// the value before the passes).
    public var expected: Double
    /// What was found (`vjp(a·u + b·w)`, the gradient, the repeated pass's value, the value after).
    public var actual: Double
    /// Which comparison broke (`second backward pass from the same forward pass`,
    /// `second forward and backward pass`, `during the forward pass`, `during the backward passes`),
    /// or `nil` where there is only one.
    public var note: String?

    /// An element.
    public init(tensor: String, index: [Int], expected: Double, actual: Double, note: String? = nil) {
        self.tensor = tensor
        self.index = index
        self.expected = expected
        self.actual = actual
        self.note = note
    }
}
