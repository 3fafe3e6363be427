/// The configuration of a `max_pooling1d` or `average_pooling1d` layer on
/// `[timesteps, channels]`, with Keras 3 names and defaults.
public struct Pooling1DSpec: Sendable, Equatable, Hashable {
    /// The window's length (key `pool_size`, default 2).
    public var poolSize: Int
    /// The window's step (key `strides`; default `pool_size`).
    public var strides: Int
    /// `valid` (default) or `same` (TensorFlow padding; padded steps never win a max and
    /// are left out of an average).
    public var padding: Padding

    /// A pooling configuration; `strides` defaults to `poolSize`.
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    /// The keys a 1-D pooling layer object accepts besides `type` and `name`.
    static let keys = ["pool_size", "strides", "padding"]

    static func decode(_ r: ObjectReader) throws(SpecError) -> Pooling1DSpec {
        Pooling1DSpec(poolSize: try r.get("pool_size", default: 2, Read.positiveSingle),
                      strides: try r.optional("strides", Read.positiveSingle),
                      padding: try r.get("padding", default: .valid, Padding.decode))
    }

    /// Writes `pool_size` and `padding` always, `strides` when it is not `pool_size`.
    func encode(into o: inout JSONObject) {
        o["pool_size"] = .integer(poolSize)
        if strides != poolSize { o["strides"] = .integer(strides) }
        o["padding"] = .string(padding.rawValue)
    }
}
