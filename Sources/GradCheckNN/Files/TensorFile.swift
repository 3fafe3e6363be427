import Foundation
import GradCheckTensor

/// A tensor in JSON, `{"shape": [d0, d1, ...], "values": [...]}` (FORMATS.md §2), as one
/// file or as the building block of weights, batch and gradients files.
///
/// `values` is flat and row-major, exactly `product(shape)` long. JSON has no NaN or
/// infinity, so they are written, and read, as the strings `"nan"`, `"inf"` and `"-inf"`.
/// An empty `shape` is a scalar with one value.
public struct TensorFile: Sendable, Equatable {
    /// The tensor.
    public var tensor: Tensor<Double>

    /// Wraps a tensor.
    public init(_ tensor: Tensor<Double>) {
        self.tensor = tensor
    }

    /// Decodes one tensor object found at `path`.
    ///
    /// - Throws: ``SpecError`` at the exact place: `...: expected an object, got ...`,
    ///   `....shape[1]: expected a non-negative integer, got -1`,
    ///   `....values: expected 12 values for shape [3, 4], got 10`,
    ///   `....shape: shape [...] has too many elements` (the product overflows `Int`),
    ///   `....values[17]: expected a number or "nan"/"inf"/"-inf", got true`, or an
    ///   unknown key.
    public static func decodeTensor(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> Tensor<Double> {
        let r = try ObjectReader(value, path: path, file: file)
        try r.allowOnly(["shape", "values"])
        let shapeValues = try r.require("shape", Read.array)
        var shape: [Int] = []
        shape.reserveCapacity(shapeValues.count)
        var count = 1
        var overflow = false
        for (k, d) in shapeValues.enumerated() {
            let n = try Read.nonNegativeInt(d, SpecPath.index(r.path("shape"), k), file)
            shape.append(n)
            let (product, o) = count.multipliedReportingOverflow(by: n)
            overflow = overflow || o
            count = product
        }
        let shapeText = "[" + shape.map(String.init).joined(separator: ", ") + "]"
        guard !overflow else {
            throw r.error("shape", "shape \(shapeText) has too many elements")
        }
        let values = try r.require("values", Read.array)
        guard count == values.count else {
            throw r.error("values", "expected \(count) values for shape \(shapeText), got \(values.count)")
        }
        var scalars: [Double] = []
        scalars.reserveCapacity(values.count)
        for (k, v) in values.enumerated() {
            guard let x = v.extendedNumberValue else {
                // Recorded (in a collecting decode) so that every bad value is listed, up to the limit.
                try SpecProblems.record(SpecError(file: file, path: SpecPath.index(r.path("values"), k),
                                                  message: "expected a number or \"nan\"/\"inf\"/\"-inf\", got \(v.shortDescription)"))
                scalars.append(.nan)
                continue
            }
            scalars.append(x)
        }
        return Tensor(unchecked: shape, scalars: scalars)
    }

    /// `{"shape": [...], "values": [...]}` for any tensor; `Float` elements are widened
    /// to `Double` exactly, and non-finite values become `"nan"`, `"inf"`, `"-inf"` when
    /// written.
    public static func jsonValue<S: TensorScalar>(of tensor: Tensor<S>) -> JSONValue {
        let values: [JSONValue] = tensor.scalars.map { .number(Double($0)) }
        return ["shape": .integers(tensor.shape), "values": .array(values)]
    }

    /// Decodes a standalone tensor document.
    ///
    /// - Throws: ``SpecError`` as ``decodeTensor(_:path:file:)`` does.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> TensorFile {
        TensorFile(try decodeTensor(value, path: "", file: file))
    }

    /// Parses and decodes a standalone tensor document from JSON text.
    ///
    /// - Throws: ``SpecError`` for invalid JSON or an invalid tensor.
    public static func decode(json: String, file: String? = nil) throws(SpecError) -> TensorFile {
        try decode(JSONParser.parse(json, file: file), file: file)
    }

    /// Reads a tensor file.
    ///
    /// - Throws: ``SpecError`` when the file is missing or unreadable, not JSON, or not a
    ///   valid tensor.
    public static func load(path: String) throws(SpecError) -> TensorFile {
        try decode(JSONParser.parse(FileIO.read(path: path), file: path), file: path)
    }

    /// Reads a tensor file.
    ///
    /// - Throws: ``SpecError`` as ``load(path:)`` does.
    public static func load(contentsOf url: URL) throws(SpecError) -> TensorFile {
        try load(path: url.path)
    }

    /// The document: `{"shape": [...], "values": [...]}`.
    public func jsonValue() -> JSONValue { Self.jsonValue(of: tensor) }

    /// Writes the document atomically (temporary file in the same directory, renamed).
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue()), to: path)
    }
}
