import Foundation
import GradCheckTensor

/// A weights file, `gradcheck.weights/1` (FORMATS.md §2): parameter values by name, in
/// file order.
///
/// ```json
/// {"format": "gradcheck.weights/1", "parameters": {"dense_1/kernel": {"shape": [4, 6], "values": [...]}}}
/// ```
///
/// This type checks the file itself; whether the names and shapes match a model is the
/// model's check.
public struct WeightsFile: Sendable, Equatable {
    /// The `format` tag of this version.
    public static let format = "gradcheck.weights/1"

    /// The parameters in file order, each name once.
    public private(set) var parameters: [NamedTensor]

    /// A weights file; a repeated name keeps its first position and its last tensor.
    public init(parameters: [NamedTensor]) {
        self.parameters = NamedTensor.deduplicated(parameters)
    }

    /// The parameter names in order.
    public var names: [String] { parameters.map(\.name) }

    /// The tensor named `name`; setting replaces it in place or appends a new name, and
    /// setting `nil` removes it.
    public subscript(name: String) -> Tensor<Double>? {
        get { parameters.first { $0.name == name }?.tensor }
        set {
            let i = parameters.firstIndex { $0.name == name }
            switch (i, newValue) {
            case let (i?, t?): parameters[i].tensor = t
            case let (nil, t?): parameters.append(NamedTensor(name: name, tensor: t))
            case let (i?, nil): parameters.remove(at: i)
            case (nil, nil): break
            }
        }
    }

    /// Decodes a parsed weights document.
    ///
    /// - Throws: ``SpecError`` for a wrong `format` (a missing one is accepted), a
    ///   missing `parameters`, an unknown key, or an invalid tensor (with its exact path,
    ///   `parameters["dense_1/kernel"].values[17]`). Every problem is reported (up to
    ///   20): the error is the first, ``SpecError/others`` the rest.
    public static func decode(_ value: JSONValue, file: String? = nil) throws(SpecError) -> WeightsFile {
        try SpecProblems.collecting { () throws(SpecError) -> WeightsFile? in
            let r = try ObjectReader(value, path: "", file: file)
            try r.allowOnly(["format", "parameters"])
            _ = try SpecProblems.attempt { () throws(SpecError) in try r.checkFormat(format) }
            return WeightsFile(parameters: try r.require("parameters", NamedTensor.decodeMap))
        }
    }

    /// Parses and decodes a weights document from JSON text.
    ///
    /// - Throws: ``SpecError`` for invalid JSON or an invalid document.
    public static func decode(json: String, file: String? = nil) throws(SpecError) -> WeightsFile {
        try decode(JSONParser.parse(json, file: file), file: file)
    }

    /// Reads a weights file.
    ///
    /// - Throws: ``SpecError`` when the file is missing or unreadable, not JSON, or not a
    ///   valid weights document.
    public static func load(path: String) throws(SpecError) -> WeightsFile {
        try decode(JSONParser.parse(FileIO.read(path: path), file: path), file: path)
    }

    /// Reads a weights file.
    ///
    /// - Throws: ``SpecError`` as ``load(path:)`` does.
    public static func load(contentsOf url: URL) throws(SpecError) -> WeightsFile {
        try load(path: url.path)
    }

    /// The document, `format` first.
    public func jsonValue() -> JSONValue {
        ["format": .string(Self.format), "parameters": NamedTensor.jsonMap(parameters)]
    }

    /// Writes the document pretty-printed (one tensor per line), atomically.
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    public func write(to path: String) throws(SpecError) {
        try FileIO.writeAtomically(JSONWriter.pretty.fileContents(for: jsonValue()), to: path)
    }
}
