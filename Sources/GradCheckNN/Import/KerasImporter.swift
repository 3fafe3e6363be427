/// What the Keras importer produced: a `gradcheck.model/1` document and what the user
/// should know about it.
public struct KerasImport: Sendable, Equatable {
    /// The spec, ready to write: `format`, `name`, `input_shape` or `inputs`, `layers`,
    /// `outputs` when the output is not the last layer, `loss` when known, `training`
    /// when the Keras model was compiled with an optimizer.
    public var spec: JSONValue
    /// Whether the spec has a `loss` (from `--loss` or the Keras `compile_config`).
    public var hasLoss: Bool

    /// The spec as the file `gradcheck import` writes: pretty-printed JSON with a final newline.
    public var fileContents: String { JSONWriter.pretty.fileContents(for: spec) }

    /// Writes the spec to `path` whole (a temporary file renamed over it).
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(fileContents, to: path)
    }
}

/// Translates a Keras 3 model, as `model.to_json()` writes it or as the `config.json` of
/// a `.keras` archive holds it, into a `gradcheck.model/1` spec.
///
/// Sequential and functional models are translated layer by layer: Keras layer names
/// become the layer names (so parameters are named as Keras names them,
/// `dense/kernel`), the functional wiring becomes `inputs` on the layers that do not
/// simply take the previous layer's output, and call arguments such as
/// `use_causal_mask` are carried over. Every argument is translated, known to equal the
/// format's meaning, or refused: an unsupported layer, argument or call is a
/// ``SpecError`` whose path points into the Keras JSON
/// (`config.layers[4].config.use_gate`), never dropped.
///
/// ```swift
/// let result = try KerasImporter(loss: LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true))
///     .translate(JSONParser.parse(text), file: "model.json")
/// print(JSONWriter.pretty.fileContents(for: result.spec))
/// ```
public struct KerasImporter: Sendable {
    /// The loss to put in the spec; `nil` takes the one in `compile_config`, if any.
    public var loss: LossSpec?

    /// An importer that writes `loss` into the spec (overriding the Keras compile config's).
    public init(loss: LossSpec? = nil) {
        self.loss = loss
    }

    /// Translates a parsed Keras model document.
    ///
    /// - Complexity: linear in the size of the document.
    /// - Throws: ``SpecError`` naming the path in the Keras document: a model that is not
    ///   Sequential or Functional (subclassed models have no wiring to translate), an
    ///   unsupported layer, argument, loss or optimizer, a shared layer, a layer with
    ///   several outputs, a model with several outputs, or an input whose shape is not
    ///   fixed.
    public func translate(_ document: JSONValue, file: String? = nil) throws(SpecError) -> KerasImport {
        var top = try KerasConfig(document, path: "", file: file, what: "Keras model")
        if document["format"]?.stringValue == ModelSpec.format {
            throw top.error("format", "this is a \(ModelSpec.format) spec already, not a Keras model")
        }
        top.ignore("module", "registered_name", "build_config")
        let className = try top.string("class_name") ?? ""
        guard ["Sequential", "Functional", "Model"].contains(className) else {
            throw top.error("class_name", "a Keras \(className.isEmpty ? "model" : "\"\(className)\"") is not a Sequential or "
                + "Functional model; only those two record how their layers are wired (rebuild a subclassed model "
                + "with the functional API)")
        }
        let config = try top.require("config")
        var model: KerasModelTranslation
        switch className {
        case "Sequential":
            model = try KerasModelTranslation.sequential(config, path: "config", file: file)
        default:
            model = try KerasModelTranslation.functional(config, path: "config", file: file)
        }
        var compiledLoss: LossSpec?
        var optimizer: OptimizerSpec?
        if let compile = top.take("compile_config") {
            var cc = try KerasConfig(compile, path: "compile_config", file: file, what: "Keras compile_config")
            if let v = cc.take("loss") { compiledLoss = try KerasCompileConfig.loss(v, path: cc.path("loss"), file: file) }
            if let v = cc.take("optimizer") { optimizer = try KerasCompileConfig.optimizer(v, path: cc.path("optimizer"), file: file) }
            try cc.requireNull("loss_weights", because: "the model has one output and one loss")
            // Metrics are reported, not differentiated; the rest chooses how Keras runs.
            cc.ignore("metrics", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss")
            try cc.finish()
        }
        try top.finish()

        let chosenLoss = loss ?? compiledLoss
        var o: JSONObject = ["format": .string(ModelSpec.format), "name": .string(model.name)]
        for member in model.inputKeys { o[member.key] = member.value }
        o["layers"] = .array(model.layers)
        if let output = model.output { o["outputs"] = .string(output) }
        if let chosenLoss { o["loss"] = chosenLoss.jsonValue }
        if let optimizer { o["training"] = .object(["optimizer": optimizer.jsonValue]) }
        return KerasImport(spec: .object(o), hasLoss: chosenLoss != nil)
    }

    /// Reads and translates a Keras model file: the JSON of `model.to_json()`, an
    /// extracted `config.json`, or a `.keras` archive (whose `config.json` is read, and
    /// whose `compile_config` gives the loss and optimizer).
    ///
    /// - Throws: ``SpecError`` naming the file (`model.keras (config.json)` for an
    ///   archive's entry) for an unreadable file or archive, invalid JSON, or anything
    ///   ``translate(_:file:)`` refuses.
    public func translate(path: String) throws(SpecError) -> KerasImport {
        let bytes = try FileIO.read(path: path)
        if ZipArchive.looksLikeZip(bytes) {
            let entry = try ZipArchive(bytes: bytes, file: path).contents(of: "config.json")
            let name = "\(path) (config.json)"
            return try translate(JSONParser.parse(entry, file: name), file: name)
        }
        return try translate(JSONParser.parse(bytes, file: path), file: path)
    }

    /// Reads a loss given on the command line: a Keras loss name (`mse`,
    /// `sparse_categorical_crossentropy`), or the format's loss as a name or JSON object
    /// (`{"type": "sparse_categorical_crossentropy", "from_logits": true}`).
    ///
    /// - Throws: ``SpecError`` for anything else, with a did-you-mean.
    public static func loss(argument: String) throws(SpecError) -> LossSpec {
        if let kind = KerasCompileConfig.lossNames[argument] { return LossSpec(kind: kind) }
        let value: JSONValue = argument.hasPrefix("{") ? try JSONParser.parse(argument, file: "--loss") : .string(argument)
        return try LossSpec.decode(value, path: "", file: "--loss")
    }
}
