import Foundation
import GradCheckTensor

/// A batch file, `gradcheck.batch/1` (FORMATS.md §2): inputs and targets with the batch
/// axis first.
///
/// ```json
/// {"format": "gradcheck.batch/1", "inputs": TENSOR, "targets": TENSOR}
/// {"format": "gradcheck.batch/1", "inputs": {"tokens": TENSOR, "positions": TENSOR}, "targets": TENSOR}
/// ```
///
/// A model with several inputs takes them keyed by input name (``InputTensors/named(_:)``);
/// ``Model/packInputs(_:file:)`` checks them against the model.
///
/// Class targets (and token ids) are integer-valued numbers. Whether the shapes fit a
/// model is the model's check; this type checks that both tensors have a batch axis of
/// the same size.
public struct BatchFile: Sendable, Equatable {
    /// The `format` tag of this version.
    public static let format = "gradcheck.batch/1"

    /// The inputs, each `[batch, ...sample shape]`: one plain tensor, or several keyed by
    /// model input name.
    public var namedInputs: InputTensors
    /// The targets, `[batch, ...]`.
    public var targets: Tensor<Double>

    /// A batch of a one-input model.
    public init(inputs: Tensor<Double>, targets: Tensor<Double>) {
        self.init(inputs: .single(inputs), targets: targets)
    }

    /// A batch with its inputs in either form.
    public init(inputs: InputTensors, targets: Tensor<Double>) {
        self.namedInputs = inputs
        self.targets = targets
    }

    /// The inputs of a one-input batch (for a keyed file, the first input's tensor).
    public var inputs: Tensor<Double> {
        get { namedInputs.tensors[0] }
        set { namedInputs = .single(newValue) }
    }

    /// The number of samples (the inputs' first axis; 0 for a rank-0 tensor).
    public var batchSize: Int { inputs.shape.first ?? 0 }

    /// Decodes a parsed batch document.
    ///
    /// - Throws: ``SpecError`` for a wrong `format` (a missing one is accepted), a
    ///   missing or invalid `inputs` / `targets` (with the exact path), an unknown key, a
    ///   tensor without a batch axis, or batch axes of different sizes.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> BatchFile {
        let r = try ObjectReader(value, path: "", file: file)
        try r.allowOnly(["format", "inputs", "targets"])
        try r.checkFormat(format)
        let inputs = try r.require("inputs", InputTensors.decode)
        let targets = try r.require("targets", TensorFile.decodeTensor)
        var n: Int?
        for (name, tensor) in zip(inputs.names, inputs.tensors) {
            let path = name.map { "inputs[\"\($0)\"]" } ?? "inputs"
            guard let first = tensor.shape.first else {
                throw SpecError(file: file, path: path + ".shape", message: "expected a batch axis first, got shape []")
            }
            if let n, n != first {
                throw SpecError(file: file, path: path + ".shape[0]",
                                message: "this input has \(first) samples but the first has \(n)")
            }
            n = first
        }
        guard let m = targets.shape.first else {
            throw SpecError(file: file, path: "targets.shape", message: "expected a batch axis first, got shape []")
        }
        guard n == m else {
            throw SpecError(file: file, path: "targets.shape[0]",
                            message: "the targets have \(m) samples but the inputs have \(n ?? 0)")
        }
        return BatchFile(inputs: inputs, targets: targets)
    }

    /// Parses and decodes a batch document from JSON text.
    ///
    /// - Throws: ``SpecError`` for invalid JSON or an invalid document.
    public static func decode(json: String, file: String? = nil) throws(SpecError) -> BatchFile {
        try decode(JSONParser.parse(json, file: file), file: file)
    }

    /// Reads a batch file.
    ///
    /// - Throws: ``SpecError`` when the file is missing or unreadable, not JSON, or not a
    ///   valid batch document.
    public static func load(path: String) throws(SpecError) -> BatchFile {
        try decode(JSONParser.parse(FileIO.read(path: path), file: path), file: path)
    }

    /// Reads a batch file.
    ///
    /// - Throws: ``SpecError`` as ``load(path:)`` does.
    public static func load(contentsOf url: URL) throws(SpecError) -> BatchFile {
        try load(path: url.path)
    }

    /// The document, `format` first.
    public func jsonValue() -> JSONValue {
        ["format": .string(Self.format), "inputs": namedInputs.jsonValue,
         "targets": TensorFile.jsonValue(of: targets)]
    }

    /// Writes the document pretty-printed, atomically.
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue()), to: path)
    }
}
