import Foundation
import GradCheckTensor

/// A gradients file, `gradcheck.gradients/1` (FORMATS.md §2): the loss and its gradient
/// with respect to each trainable parameter and, optionally, the inputs. It is what
/// `gradcheck gradients` prints and what a reference from another framework holds.
///
/// ```json
/// {"format": "gradcheck.gradients/1", "loss": 0.123, "parameters": {"dense_1/kernel": TENSOR}, "inputs": TENSOR}
/// ```
///
/// For a model with several inputs, `inputs` is an object keyed by input name holding the
/// float inputs only (``InputTensors/named(_:)``).
public struct GradientsFile: Sendable, Equatable {
    /// The `format` tag of this version.
    public static let format = "gradcheck.gradients/1"

    /// The loss, regularisation included (may be non-finite: `"nan"`, `"inf"`).
    public var loss: Double
    /// The gradient of each parameter in file order, each name once.
    public private(set) var parameters: [NamedTensor]
    /// The gradient with respect to the inputs, when given: a plain tensor, or keyed by
    /// input name (left out when no input is float, say token ids for an `embedding`).
    public var namedInputs: InputTensors?

    /// A gradients document; a repeated parameter name keeps its first position and its
    /// last tensor.
    public init(loss: Double, parameters: [NamedTensor], inputs: Tensor<Double>? = nil) {
        self.init(loss: loss, parameters: parameters, namedInputs: inputs.map { .single($0) })
    }

    /// A gradients document with the inputs' gradients in either form.
    public init(loss: Double, parameters: [NamedTensor], namedInputs: InputTensors?) {
        self.loss = loss
        self.parameters = NamedTensor.deduplicated(parameters)
        self.namedInputs = namedInputs
    }

    /// The gradient with respect to the inputs in the plain one-tensor form (`nil` when
    /// absent or keyed by name).
    public var inputs: Tensor<Double>? {
        get { if case let .single(t)? = namedInputs { return t } else { return nil } }
        set { namedInputs = newValue.map { .single($0) } }
    }

    /// The parameter names in order.
    public var names: [String] { parameters.map(\.name) }

    /// The gradient of the parameter named `name`, if present.
    public subscript(name: String) -> Tensor<Double>? {
        parameters.first { $0.name == name }?.tensor
    }

    /// Decodes a parsed gradients document.
    ///
    /// - Throws: ``SpecError`` for a wrong `format` (a missing one is accepted), a
    ///   missing `loss` or `parameters`, a `loss` that is not a number or
    ///   `"nan"`/`"inf"`/`"-inf"`, an unknown key, or an invalid tensor (with its exact path).
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> GradientsFile {
        let r = try ObjectReader(value, path: "", file: file)
        try r.allowOnly(["format", "loss", "parameters", "inputs"])
        try r.checkFormat(format)
        let loss = try r.require("loss") { (v: JSONValue, path: String, file: String?) throws(SpecError) -> Double in
            guard let x = v.extendedNumberValue else {
                throw Read.fail("a number or \"nan\"/\"inf\"/\"-inf\"", v, path, file)
            }
            return x
        }
        return GradientsFile(
            loss: loss,
            parameters: try r.require("parameters", NamedTensor.decodeMap),
            namedInputs: try r.optional("inputs", InputTensors.decode))
    }

    /// Parses and decodes a gradients document from JSON text.
    ///
    /// - Throws: ``SpecError`` for invalid JSON or an invalid document.
    public static func decode(json: String, file: String? = nil) throws(SpecError) -> GradientsFile {
        try decode(JSONParser.parse(json, file: file), file: file)
    }

    /// Reads a gradients file.
    ///
    /// - Throws: ``SpecError`` when the file is missing or unreadable, not JSON, or not a
    ///   valid gradients document.
    public static func load(path: String) throws(SpecError) -> GradientsFile {
        try decode(JSONParser.parse(FileIO.read(path: path), file: path), file: path)
    }

    /// Reads a gradients file.
    ///
    /// - Throws: ``SpecError`` as ``load(path:)`` does.
    public static func load(contentsOf url: URL) throws(SpecError) -> GradientsFile {
        try load(path: url.path)
    }

    /// The document: `format`, `loss`, `parameters`, then `inputs` when present.
    public func jsonValue() -> JSONValue {
        var o: JSONObject = [
            "format": .string(Self.format), "loss": .number(loss), "parameters": NamedTensor.jsonMap(parameters),
        ]
        if let namedInputs { o["inputs"] = namedInputs.jsonValue }
        return .object(o)
    }

    /// Writes the document pretty-printed, atomically.
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue()), to: path)
    }
}
