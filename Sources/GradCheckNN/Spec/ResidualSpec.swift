/// The configuration of a `residual` block: `{"type": "residual", "layers": [...]}`.
/// Its output is its input plus the output of the inner layers applied in order, so the
/// inner layers must give back the input's shape.
///
/// Inner layers are named by their own names (`dense_2`, not `residual_1/dense_2`):
/// unnamed ones are counted with the rest of the model in model order (the block before
/// its inner layers), and names are unique across the whole model. Their paths are
/// `layers[k].layers[j]`.
public struct ResidualSpec: Sendable, Equatable {
    /// The inner layers, in order (at least one), with resolved names.
    public var layers: [LayerSpec]

    /// A residual block around `layers`.
    public init(layers: [LayerSpec]) {
        self.layers = layers
    }

    static let keys = ["layers"]

    /// Reads the inner layer objects; their names are resolved by ``ModelSpec/decode(_:file:)``.
    static func decode(_ r: ObjectReader) throws(SpecError) -> ResidualSpec {
        let values = try r.require("layers", Read.array)
        guard !values.isEmpty else { throw r.error("layers", "a residual block needs at least one layer") }
        var layers: [LayerSpec] = []
        for (k, v) in values.enumerated() {
            let inner = try LayerSpec.decodeUnresolved(v, path: SpecPath.index(r.path("layers"), k), file: r.file)
            guard inner.inputs == nil else {
                throw SpecError(file: r.file, path: SpecPath.member(inner.path, "inputs"),
                                message: "a layer inside a residual block takes the previous inner layer's output; "
                                    + "\"inputs\" is not allowed here (write the block as layers and an \"add\" instead)")
            }
            layers.append(inner)
        }
        return ResidualSpec(layers: layers)
    }

    func encode(into o: inout JSONObject) {
        o["layers"] = .array(layers.map(\.jsonValue))
    }
}
