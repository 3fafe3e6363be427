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

    /// The model's name (non-empty): the spec's `name`, else the file's name without
    /// its extension.
    public var name: String
    /// One sample's shape, without the batch axis; every axis positive.
    public var inputShape: [Int]
    /// The layers in order, with resolved unique names.
    public var layers: [LayerSpec]
    /// The loss.
    public var loss: LossSpec
    /// The optional training block.
    public var training: TrainingSpec?

    /// A spec built in code. Nothing is validated here; ``decode(_:file:)`` validates.
    public init(name: String, inputShape: [Int], layers: [LayerSpec], loss: LossSpec, training: TrainingSpec? = nil) {
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        self.loss = loss
        self.training = training
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
    ///   A missing `name` is ``defaultName(file:)``.
    /// - Throws: ``SpecError`` naming the path and the problem: a wrong `format`, a
    ///   missing or ill-typed `input_shape` / `layers` / `loss`, an empty `name`, an
    ///   unknown key anywhere, an unknown or unsupported layer type, an out-of-range
    ///   value, or two layers with the same name. Every problem of the document is
    ///   reported (up to 20): the error is the first, ``SpecError/others`` the rest.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> ModelSpec {
        try SpecProblems.collecting { () throws(SpecError) -> ModelSpec? in try decodeCollecting(value, file: file) }
    }

    /// The model name used when a spec gives none: the file's name without its
    /// extension (`mlp.json` → `mlp`), as Keras names an unnamed model; `model` for a spec
    /// that is not from a file.
    public static func defaultName(file: String?) -> String {
        guard let file, !file.isEmpty else { return "model" }
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return stem.isEmpty ? "model" : stem
    }

    /// The body of ``decode(_:file:)``: every problem is recorded in the running
    /// ``SpecProblems`` collection; `nil` when a part could not be read.
    private static func decodeCollecting(_ value: JSONValue, file: String?) throws(SpecError) -> ModelSpec? {
        let r = try ObjectReader(value, path: "", file: file)
        try r.allowOnly(["format", "name", "input_shape", "layers", "loss", "training"])
        _ = try SpecProblems.attempt { () throws(SpecError) in try r.checkFormat(format) }
        let name = try r.get("name", default: defaultName(file: file)) { (v: JSONValue, path: String, file: String?) throws(SpecError) -> String in
            let s = try Read.string(v, path, file)
            guard !s.isEmpty else { throw SpecError(file: file, path: path, message: "expected a non-empty string") }
            return s
        }
        let inputShape = try SpecProblems.attempt { () throws(SpecError) -> [Int] in try r.require("input_shape", Read.positiveShape) }
        let decodedLayers = try SpecProblems.attempt { () throws(SpecError) -> [LayerSpec]? in
            let layerValues = try r.require("layers", Read.array)
            guard !layerValues.isEmpty else { throw r.error("layers", "a model needs at least one layer") }
            return try LayerSpec.decodeList(layerValues, path: "layers", file: file)
        }
        let loss = try SpecProblems.attempt { () throws(SpecError) -> LossSpec in try r.require("loss", LossSpec.decode) }
        let training = try r.optional("training", TrainingSpec.decode)
        // Names are resolved once every layer decoded: a layer that failed would shift the
        // default names of those after it.
        guard let decoded = decodedLayers ?? nil,
              let layers = try SpecProblems.attempt({ () throws(SpecError) -> [LayerSpec] in try resolveNames(decoded, file: file) }),
              let inputShape, let loss else { return nil }
        return ModelSpec(name: name, inputShape: inputShape, layers: layers, loss: loss, training: training)
    }

    /// Gives every unnamed layer its default name, in model order (a residual block
    /// before its inner layers).
    ///
    /// - Throws: ``SpecError`` at the second of two layers with the same name.
    private static func resolveNames(_ decoded: [LayerSpec], file: String?) throws(SpecError) -> [LayerSpec] {
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
        return try resolve(decoded)
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
        var o: JSONObject = [
            "format": .string(Self.format),
            "name": .string(name),
            "input_shape": .integers(inputShape),
            "layers": .array(layers.map(\.jsonValue)),
            "loss": loss.jsonValue,
        ]
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
