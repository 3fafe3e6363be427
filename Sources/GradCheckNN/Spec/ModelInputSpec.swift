/// What a model input holds.
public enum InputDType: String, Sendable, Equatable {
    /// Real values: a differentiable input.
    case float
    /// Integer indices (token ids, positions), fed to `embedding` layers: not differentiable.
    case int
}

/// One input of a model spec: `{"name": "tokens", "shape": [16], "dtype": "int"}`.
public struct ModelInputSpec: Sendable, Equatable {
    /// The input's name, which layers name in their `inputs`.
    public var name: String
    /// One sample's shape, without the batch axis; every axis positive.
    public var shape: [Int]
    /// The declared dtype, or `nil` when the spec gives none: then the input is `int`
    /// when it feeds `embedding` layers and `float` otherwise.
    public var dtype: InputDType?

    /// An input.
    public init(name: String, shape: [Int], dtype: InputDType? = nil) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
    }

    /// The name of a model's only input when the spec gives `input_shape`.
    public static let defaultName = "input"

    static func decode(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> ModelInputSpec {
        let r = try ObjectReader(v, path: path, file: file)
        try r.allowOnly(["name", "shape", "dtype"])
        let name = try r.require("name", Read.string)
        guard !name.isEmpty, !name.contains("/") else {
            throw r.error("name", "expected a non-empty name without \"/\"")
        }
        let shape = try r.require("shape", Read.positiveShape)
        let dtype = try r.optional("dtype") { (v: JSONValue, path: String, file: String?) throws(SpecError) -> InputDType in
            let s = try Read.string(v, path, file)
            guard let d = InputDType(rawValue: s) else {
                throw SpecError(file: file, path: path, message: "expected \"float\" or \"int\", got \"\(s)\"")
            }
            return d
        }
        return ModelInputSpec(name: name, shape: shape, dtype: dtype)
    }

    var jsonValue: JSONValue {
        var o: JSONObject = ["name": .string(name), "shape": .integers(shape)]
        if let dtype { o["dtype"] = .string(dtype.rawValue) }
        return .object(o)
    }
}
