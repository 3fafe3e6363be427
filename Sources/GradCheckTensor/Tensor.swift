/// A dense, row-major, n-dimensional array of `Float` or `Double`.
///
/// `Tensor` is a value type with copy-on-write storage (a Swift array), so passing one
/// around is cheap and mutation never aliases. The first axis is the batch axis wherever
/// a batch is meant.
///
/// Element access by flat index is O(1); the shape is checked at construction, so every
/// tensor satisfies `scalars.count == shape.reduce(1, *)`.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
    /// The size of each axis, outermost first.
    public let shape: [Int]
    /// The elements in row-major order. Mutate them freely, but keep their count.
    public var scalars: [Scalar]

    /// Creates a tensor from its shape and row-major elements.
    ///
    /// - Throws: ``TensorError/shapeMismatch(expected:got:)`` when the element count is
    ///   not the product of `shape`, ``TensorError/invalidShape(_:)`` when an axis is negative.
    public init(shape: [Int], scalars: [Scalar]) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape) }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw .shapeMismatch(expected: count, got: scalars.count)
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor whose shape the caller guarantees matches `scalars`.
    ///
    /// Used by kernels that compute both; a mismatch is a programming error in the kernel.
    @inlinable
    public init(unchecked shape: [Int], scalars: [Scalar]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: shape \(shape) does not match \(scalars.count) scalars")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`.
    @inlinable
    public init(repeating value: Scalar, shape: [Int]) {
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of zeros.
    @inlinable
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A rank-0 tensor holding one value.
    @inlinable
    public init(scalar: Scalar) {
        self.shape = []
        self.scalars = [scalar]
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of axes.
    @inlinable public var rank: Int { shape.count }

    /// The single element of a tensor with one element (any shape).
    ///
    /// - Precondition: `count == 1`.
    @inlinable public var scalar: Scalar {
        precondition(scalars.count == 1, "Tensor.scalar: tensor has \(scalars.count) elements")
        return scalars[0]
    }

    /// The same elements viewed with another shape of equal element count.
    ///
    /// - Throws: ``TensorError/shapeMismatch(expected:got:)`` when the counts differ.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(shape: newShape, scalars: scalars)
    }

    /// The same elements with another shape; the caller guarantees the element count.
    @inlinable
    public func reshaped(unchecked newShape: [Int]) -> Tensor {
        Tensor(unchecked: newShape, scalars: scalars)
    }

    /// Row-major strides of ``shape``.
    @inlinable public var strides: [Int] { Tensor.strides(of: shape) }

    /// Row-major strides of `shape`: the flat distance between neighbours on each axis.
    @inlinable
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        return strides
    }

    /// The per-axis index of a flat index, for reporting (`[3, 17]`).
    public func index(ofFlat flat: Int) -> [Int] {
        var rest = flat
        return strides.map { s in
            let i = rest / s
            rest -= i * s
            return i
        }
    }

    /// Converts the elements to another scalar type.
    @inlinable
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(unchecked: shape, scalars: scalars.map { Other($0) })
    }

    /// Whether every element is finite.
    @inlinable public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

extension Tensor: CustomStringConvertible {
    /// A short description: shape and the first few elements.
    public var description: String {
        let head = scalars.prefix(6).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(scalars.count > 6 ? ", …" : "")])"
    }
}

extension Tensor {
    /// The per-axis index of a flat index in a tensor of `shape`.
    public static func index(ofFlat flat: Int, shape: [Int]) -> [Int] {
        var rest = flat
        return strides(of: shape).map { s in
            let i = rest / s
            rest -= i * s
            return i
        }
    }
}
