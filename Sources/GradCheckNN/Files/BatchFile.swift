import Foundation
import GradCheckTensor

/// A batch file, `gradcheck.batch/1` (FORMATS.md §2): inputs and targets with the batch
/// axis first.
///
/// ```json
/// {"format": "gradcheck.batch/1", "inputs": TENSOR, "targets": TENSOR}
/// ```
///
/// Class targets (and token ids) are integer-valued numbers. Whether the shapes fit a
/// model is the model's check; this type checks that both tensors have a batch axis of
/// the same size.
public struct BatchFile: Sendable, Equatable {
    /// The `format` tag of this version.
    public static let format = "gradcheck.batch/1"

    /// The inputs, `[batch, ...sample shape]`.
    public var inputs: Tensor<Double>
    /// The targets, `[batch, ...]`.
    public var targets: Tensor<Double>

    /// A batch.
    public init(inputs: Tensor<Double>, targets: Tensor<Double>) {
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples (the inputs' first axis; 0 for a rank-0 tensor).
    public var batchSize: Int { inputs.shape.first ?? 0 }

    /// Decodes a parsed batch document.
    ///
    /// - Throws: ``SpecError`` for a wrong `format` (a missing one is accepted), a
    ///   missing or invalid `inputs` / `targets` (with the exact path), an unknown key, a
    ///   tensor without a batch axis, or batch axes of different sizes. Every problem is
    ///   reported (up to 20): the error is the first, ``SpecError/others`` the rest.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> BatchFile {
        try SpecProblems.collecting { () throws(SpecError) -> BatchFile? in try decodeCollecting(value, file: file) }
    }

    /// The body of ``decode(_:file:)``, recording every problem; `nil` when a part could
    /// not be read.
    private static func decodeCollecting(_ value: JSONValue, file: String?) throws(SpecError) -> BatchFile? {
        let r = try ObjectReader(value, path: "", file: file)
        try r.allowOnly(["format", "inputs", "targets"])
        _ = try SpecProblems.attempt { () throws(SpecError) in try r.checkFormat(format) }
        let inputs = try SpecProblems.attempt { () throws(SpecError) -> Tensor<Double> in try r.require("inputs", TensorFile.decodeTensor) }
        let targets = try SpecProblems.attempt { () throws(SpecError) -> Tensor<Double> in try r.require("targets", TensorFile.decodeTensor) }
        guard let inputs, let targets else { return nil }
        guard let n = inputs.shape.first else {
            throw SpecError(file: file, path: "inputs.shape", message: "expected a batch axis first, got shape []")
        }
        guard let m = targets.shape.first else {
            throw SpecError(file: file, path: "targets.shape", message: "expected a batch axis first, got shape []")
        }
        guard n == m else {
            throw SpecError(file: file, path: "targets.shape[0]",
                            message: "the targets have \(m) samples but the inputs have \(n)")
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
        ["format": .string(Self.format), "inputs": TensorFile.jsonValue(of: inputs),
         "targets": TensorFile.jsonValue(of: targets)]
    }

    /// Writes the document pretty-printed, atomically.
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue()), to: path)
    }
}
