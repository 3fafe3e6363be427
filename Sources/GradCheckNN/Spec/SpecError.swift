/// What is wrong with a file the user gave, and where.
///
/// Every reader in this module (model specs, weights, batches, gradients, and the JSON
/// parser under them) reports bad input as a `SpecError` rather than trapping. The
/// ``description`` is the line the CLI prints: `FILE: PATH: MESSAGE`, for example
/// `model.json: layers[2].units: expected a positive integer, got -3`. Parts that are
/// unknown are left out: no file gives `PATH: MESSAGE`, an empty path `FILE: MESSAGE`.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the input came from, as the user named it; `nil` for in-memory input.
    public var file: String?
    /// Where in the document: `layers[2].units`, `parameters["dense_1/kernel"].values[17]`;
    /// empty for the whole document (a syntax error, an unreadable file).
    public var path: String
    /// What is wrong, in one line.
    public var message: String

    /// Creates an error.
    public init(file: String? = nil, path: String = "", message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `FILE: PATH: MESSAGE`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let file, !file.isEmpty { parts.append(file) }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// The same error attributed to `file` (used when in-memory input turns out to come
    /// from a file).
    public func inFile(_ file: String?) -> SpecError {
        var copy = self
        copy.file = file
        return copy
    }
}
