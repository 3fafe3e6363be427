/// Why a tensor could not be built or combined.
public enum TensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The element count does not match the product of the shape.
    case shapeMismatch(expected: Int, got: Int)
    /// An axis has a negative size.
    case invalidShape([Int])
    /// Two operands cannot be combined: what the operation needed, and what it got.
    case incompatibleShapes(operation: String, lhs: [Int], rhs: [Int])

    public var description: String {
        switch self {
        case let .shapeMismatch(expected, got):
            return "expected \(expected) values for the shape, got \(got)"
        case let .invalidShape(shape):
            return "invalid shape \(shape): axes must be non-negative"
        case let .incompatibleShapes(operation, lhs, rhs):
            return "\(operation): incompatible shapes \(lhs) and \(rhs)"
        }
    }
}
