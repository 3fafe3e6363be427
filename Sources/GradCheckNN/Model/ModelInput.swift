/// One input of a ``Model``: its name, one sample's shape, whether it holds integer ids,
/// and where its values sit in a packed sample (``Model/inputShape``).
public struct ModelInput: Sendable, Equatable {
    /// The input's name (`input` for a sequential spec's only input).
    public let name: String
    /// One sample's shape, without the batch axis.
    public let shape: [Int]
    /// Whether the input is integer indices (token ids for `embedding` layers), which
    /// have no gradient.
    public let isInteger: Bool
    /// The position of the input's first value in a packed sample.
    public let offset: Int

    /// An input; ``Model`` sets the offsets when it is built.
    public init(name: String, shape: [Int], isInteger: Bool = false, offset: Int = 0) {
        self.name = name
        self.shape = shape
        self.isInteger = isInteger
        self.offset = offset
    }

    /// The number of values in one sample.
    public var count: Int { shape.reduce(1, *) }
    /// The positions of the input's values in a packed sample.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// What a layer of a graph takes: a model input or an earlier layer's output.
public enum GraphSource: Hashable, Sendable {
    /// Model input `k` (a position in ``Model/inputs``).
    case input(Int)
    /// The output of layer `i` (a position in ``Model/layers``).
    case layer(Int)
}
