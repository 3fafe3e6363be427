import Foundation

/// A decoded and validated model spec, `gradcheck.model/1` (FORMATS.md §1).
///
/// Decoding checks everything that can be checked without knowing shapes: keys (unknown
/// keys are errors, with a did-you-mean), types and ranges of values, known-but-unsupported
/// layer types, and unique layer names. Shape inference (whether `reshape` fits, what a
/// `dense` layer's input is) is the model builder's job.
///
/// ```swift
/// let spec = try ModelSpec.load(path: "model.json")
/// for layer in spec.layers { print(layer.name, layer.typeName) }
/// ```
public struct ModelSpec: Sendable, Equatable {
    /// The `format` tag of this version.
    public static let format = "gradcheck.model/1"

    /// The model's name (non-empty).
    public var name: String
    /// The model's inputs (at least one, unique names): the top-level `inputs`, or one
    /// input named `input` when the spec gives `input_shape`.
    public var inputs: [ModelInputSpec]
    /// The layers in spec order, with resolved unique names.
    public var layers: [LayerSpec]
    /// The layer whose output is the model's (`outputs`), or `nil` for the last layer.
    public var output: String?
    /// The loss.
    public var loss: LossSpec
    /// The optional training block.
    public var training: TrainingSpec?

    /// The first input's per-sample shape (the only one of a sequential spec); setting it
    /// sets the first input's shape.
    public var inputShape: [Int] {
        get { inputs.first?.shape ?? [] }
        set {
            if inputs.isEmpty { inputs = [ModelInputSpec(name: ModelInputSpec.defaultName, shape: newValue)] } else { inputs[0].shape = newValue }
        }
    }

    /// A sequential spec built in code, with one input named `input`. Nothing is validated
    /// here; ``decode(_:file:)`` validates.
    public init(name: String, inputShape: [Int], layers: [LayerSpec], loss: LossSpec, training: TrainingSpec? = nil) {
        self.init(name: name, inputs: [ModelInputSpec(name: ModelInputSpec.defaultName, shape: inputShape)],
                  layers: layers, output: nil, loss: loss, training: training)
    }

    /// A graph spec built in code: named inputs, layers that name theirs, and the output
    /// layer (`nil`: the last). Nothing is validated here; ``Model/init(spec:file:)`` checks
    /// the wiring.
    public init(name: String, inputs: [ModelInputSpec], layers: [LayerSpec], output: String? = nil, loss: LossSpec,
                training: TrainingSpec? = nil) {
        self.name = name
        self.inputs = inputs
        self.layers = layers
        self.output = output
        self.loss = loss
        self.training = training
    }

    /// Whether the spec is written with `input_shape` (one input named `input`, dtype not given).
    var usesInputShape: Bool {
        inputs.count == 1 && inputs[0].name == ModelInputSpec.defaultName && inputs[0].dtype == nil
    }

    /// The layer named `name`, if any (layers inside `residual` blocks included).
    public func layer(named name: String) -> LayerSpec? {
        func find(_ specs: [LayerSpec]) -> LayerSpec? {
            for s in specs {
                if s.name == name { return s }
                if case let .residual(block) = s.kind, let inner = find(block.layers) { return inner }
            }
            return nil
        }
        return find(layers)
    }

    /// Decodes and validates a parsed spec.
    ///
    /// - Parameters:
    ///   - value: The parsed JSON document.
    ///   - file: The file name to put in errors.
    /// - Throws: ``SpecError`` naming the path and the problem: a wrong `format`, a
    ///   missing or ill-typed `name` / `input_shape` / `layers` / `loss`, an unknown key
    ///   anywhere, an unknown or unsupported layer type, an out-of-range value, or two
    ///   layers with the same name.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> ModelSpec {
        let r = try ObjectReader(value, path: "", file: file)
        try r.allowOnly(["format", "name", "input_shape", "inputs", "layers", "outputs", "loss", "training"])
        try r.checkFormat(format)
        let name = try r.require("name", Read.string)
        guard !name.isEmpty else { throw r.error("name", "expected a non-empty string") }
        let inputs = try decodeInputs(r)
        let layerValues = try r.require("layers", Read.array)
        guard !layerValues.isEmpty else { throw r.error("layers", "a model needs at least one layer") }

        var decoded: [LayerSpec] = []
        for (k, layerValue) in layerValues.enumerated() {
            decoded.append(try LayerSpec.decodeUnresolved(layerValue, path: SpecPath.index("layers", k), file: file))
        }

        // Resolve names in model order (a residual block before its inner layers).
        var counts: [String: Int] = [:]
        var taken: [String: (path: String, given: Bool)] = [:]
        func resolve(_ specs: [LayerSpec]) throws(SpecError) -> [LayerSpec] {
            var out: [LayerSpec] = []
            for var entry in specs {
                let type = entry.kind.typeName
                counts[type, default: 0] += 1
                let given: String? = entry.name.isEmpty ? nil : entry.name
                let resolved = given ?? "\(type)_\(counts[type, default: 1])"
                if let previous = taken[resolved] {
                    let here = given != nil ? SpecPath.member(entry.path, "name") : entry.path
                    let what = given != nil ? "the name" : "the default name"
                    let there = previous.given ? previous.path : "\(previous.path) (its default name)"
                    throw SpecError(file: file, path: here,
                                    message: "\(what) \"\(resolved)\" is already used by \(there); layer names must be unique")
                }
                taken[resolved] = (entry.path, given != nil)
                entry.name = resolved
                if case var .residual(block) = entry.kind {
                    block.layers = try resolve(block.layers)
                    entry.kind = .residual(block)
                }
                out.append(entry)
            }
            return out
        }
        let layers = try resolve(decoded)
        for input in inputs {
            if let clash = layers.first(where: { $0.name == input.name }) {
                throw SpecError(file: file, path: clash.path,
                                message: "the name \"\(input.name)\" is already used by a model input; layer and input names must be unique")
            }
        }
        let output = try r.optional("outputs") { (v: JSONValue, path: String, file: String?) throws(SpecError) -> String in
            let names = try LayerSpec.decodeInputNames(v, path, file)
            guard names.count == 1 else {
                throw SpecError(file: file, path: path, message: "a model has one output; expected one layer name, got \(names.count)")
            }
            return names[0]
        }

        let loss = try r.require("loss", LossSpec.decode)
        let training = try r.optional("training", TrainingSpec.decode)
        return ModelSpec(name: name, inputs: inputs, layers: layers, output: output, loss: loss, training: training)
    }

    /// The model inputs: `input_shape` (one input named `input`) or `inputs`, not both.
    static func decodeInputs(_ r: ObjectReader) throws(SpecError) -> [ModelInputSpec] {
        if r.has("input_shape") && r.has("inputs") {
            throw r.error("inputs", "give \"input_shape\" (one input) or \"inputs\" (named inputs), not both")
        }
        guard r.has("inputs") else {
            guard r.object["input_shape"] != nil || r.object["inputs"] != nil else {
                throw r.error(nil, "missing required key \"input_shape\" (or \"inputs\" for named inputs)")
            }
            return [ModelInputSpec(name: ModelInputSpec.defaultName, shape: try r.require("input_shape", Read.positiveShape))]
        }
        let values = try r.require("inputs", Read.array)
        guard !values.isEmpty else { throw r.error("inputs", "a model needs at least one input") }
        var inputs: [ModelInputSpec] = []
        for (k, v) in values.enumerated() {
            let input = try ModelInputSpec.decode(v, SpecPath.index(r.path("inputs"), k), r.file)
            guard !inputs.contains(where: { $0.name == input.name }) else {
                throw SpecError(file: r.file, path: SpecPath.member(SpecPath.index(r.path("inputs"), k), "name"),
                                message: "two inputs are named \"\(input.name)\"; input names must be unique")
            }
            inputs.append(input)
        }
        return inputs
    }

    /// Parses and decodes a spec from JSON text.
    ///
    /// - Throws: ``SpecError`` for invalid JSON (with line and column) or an invalid spec.
    public static func decode(json: String, file: String? = nil) throws(SpecError) -> ModelSpec {
        try decode(JSONParser.parse(json, file: file), file: file)
    }

    /// Reads, parses and decodes a spec file. Errors name the file as given.
    ///
    /// - Throws: ``SpecError`` when the file is missing or unreadable, is not valid JSON,
    ///   or is not a valid spec.
    public static func load(path: String) throws(SpecError) -> ModelSpec {
        let bytes = try FileIO.read(path: path)
        return try decode(JSONParser.parse(bytes, file: path), file: path)
    }

    /// Reads, parses and decodes a spec file.
    ///
    /// - Throws: ``SpecError`` as ``load(path:)`` does.
    public static func load(contentsOf url: URL) throws(SpecError) -> ModelSpec {
        try load(path: url.path)
    }

    /// The spec as JSON, with `format` first and every layer's resolved name. Decoding it
    /// gives back an equal spec.
    public var jsonValue: JSONValue {
        var o: JSONObject = ["format": .string(Self.format), "name": .string(name)]
        if usesInputShape {
            o["input_shape"] = .integers(inputShape)
        } else {
            o["inputs"] = .array(inputs.map(\.jsonValue))
        }
        o["layers"] = .array(layers.map(\.jsonValue))
        if let output { o["outputs"] = .string(output) }
        o["loss"] = loss.jsonValue
        if let training { o["training"] = training.jsonValue }
        return .object(o)
    }

    /// Writes the spec, pretty-printed, atomically (a temporary file renamed over `path`).
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue), to: path)
    }
}
