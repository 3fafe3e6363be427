/// One layer of a decoded model spec: its resolved name, where it was in the file, and
/// what it does.
public struct LayerSpec: Sendable, Equatable {
    /// The layer's name: the one given, or `<type>_<k>` where `k` counts layers of that
    /// type from 1 in model order, named or not (`dense_1`, `dropout_1`, `dense_2`).
    /// Names are unique within a model and never contain `/`.
    public var name: String
    /// Where the layer is in the spec (`layers[2]`), for error messages about it.
    public var path: String
    /// What the layer does.
    public var kind: LayerKind
    /// What the layer takes, by name: earlier layers or model inputs (a graph spec's
    /// `inputs`); `nil` means the previous layer's output (the model input for the first).
    public var inputs: [String]?

    /// A layer.
    public init(name: String, path: String, kind: LayerKind, inputs: [String]? = nil) {
        self.name = name
        self.path = path
        self.kind = kind
        self.inputs = inputs
    }

    /// The layer type as the format names it (`"dense"`).
    public var typeName: String { kind.typeName }

    /// Decodes one layer object at `path`, leaving its name empty when none is given
    /// (``ModelSpec/decode(_:file:)`` then resolves every name, nested ones included).
    ///
    /// - Throws: ``SpecError`` for a bad layer object or an empty or `/`-containing name.
    static func decodeUnresolved(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> LayerSpec {
        let lr = try ObjectReader(value, path: path, file: file)
        let kind = try LayerKind.decode(lr)
        let given = try lr.optional("name", Read.string)
        if let given {
            guard !given.isEmpty else { throw lr.error("name", "expected a non-empty string") }
            guard !given.contains("/") else {
                throw lr.error("name", "a layer name cannot contain \"/\" (parameter names are <layer>/<param>)")
            }
        }
        let inputs = try lr.optional("inputs", Self.decodeInputNames)
        return LayerSpec(name: given ?? "", path: path, kind: kind, inputs: inputs)
    }

    /// A layer's `inputs`: a non-empty list of names, or one name.
    static func decodeInputNames(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> [String] {
        if case let .string(one) = v {
            guard !one.isEmpty else { throw SpecError(file: file, path: path, message: "expected a non-empty name") }
            return [one]
        }
        let elements = try Read.array(v, path, file)
        guard !elements.isEmpty else {
            throw SpecError(file: file, path: path, message: "expected a non-empty list of layer or input names, got []")
        }
        var names: [String] = []
        for (k, e) in elements.enumerated() {
            let name = try Read.string(e, SpecPath.index(path, k), file)
            guard !name.isEmpty else {
                throw SpecError(file: file, path: SpecPath.index(path, k), message: "expected a non-empty name")
            }
            names.append(name)
        }
        return names
    }

    /// The layer as a JSON object: `type`, `name` (always, so names survive a round
    /// trip), then the type's keys.
    public var jsonValue: JSONValue {
        var o: JSONObject = ["type": .string(kind.typeName), "name": .string(name)]
        if let inputs { o["inputs"] = .array(inputs.map { .string($0) }) }
        kind.encode(into: &o)
        return .object(o)
    }
}
