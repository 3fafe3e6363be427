/// The configuration of a `max_pooling2d` or `average_pooling2d` layer (channels last),
/// with Keras 3 names and defaults.
public struct Pooling2DSpec: Sendable, Equatable, Hashable {
    /// `[height, width]` of the window (key `pool_size`, an integer or a pair; default 2).
    public var poolSize: [Int]
    /// `[height, width]` step of the window (key `strides`; default `pool_size`).
    public var strides: [Int]
    /// `valid` (default) or `same` (TensorFlow padding; padded positions never win a max
    /// and are left out of an average).
    public var padding: Padding

    /// A pooling configuration; `strides` defaults to `poolSize`.
    public init(poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    /// The keys a pooling layer object accepts besides `type` and `name`.
    static let keys = ["pool_size", "strides", "padding"]

    static func decode(_ r: ObjectReader) throws(SpecError) -> Pooling2DSpec {
        let pool = try r.get("pool_size", default: [2, 2], Read.positivePair)
        return Pooling2DSpec(poolSize: pool,
                             strides: try r.optional("strides", Read.positivePair),
                             padding: try r.get("padding", default: .valid, Padding.decode))
    }

    /// Writes `pool_size` and `padding` always, `strides` when it is not `pool_size`.
    func encode(into o: inout JSONObject) {
        o["pool_size"] = Read.pairJSON(poolSize)
        if strides != poolSize { o["strides"] = Read.pairJSON(strides) }
        o["padding"] = .string(padding.rawValue)
    }
}
