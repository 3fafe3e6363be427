/// What is wrong with a file the user gave, and where.
///
/// Every reader in this module (model specs, weights, batches, gradients, and the JSON
/// parser under them) reports bad input as a `SpecError` rather than trapping. The
/// ``description`` is the line the CLI prints: `FILE: PATH: MESSAGE`, for example
/// `model.json: layers[2].units: expected a positive integer, got -3`. Parts that are
/// unknown are left out: no file gives `PATH: MESSAGE`, an empty path `FILE: MESSAGE`.
///
/// The decoders of specs, weights, batches and gradients collect every problem of a
/// document (up to 20) before they fail: the error is the first problem, and ``others``
/// holds the rest in document order; ``description`` then prints one problem per line.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the input came from, as the user named it; `nil` for in-memory input.
    public var file: String?
    /// Where in the document: `layers[2].units`, `parameters["dense_1/kernel"].values[17]`;
    /// empty for the whole document (a syntax error, an unreadable file).
    public var path: String
    /// What is wrong, in one line.
    public var message: String
    /// The other problems found in the same document, after this one (empty when this is
    /// the only one).
    public var others: [SpecError] = []
    /// Whether decoding stopped at the limit of problems, so that there may be more.
    public var truncated = false

    /// This problem and the others, in document order.
    public var problems: [SpecError] {
        var first = self
        first.others = []
        first.truncated = false
        return [first] + others
    }

    /// Creates an error.
    public init(file: String? = nil, path: String = "", message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `FILE: PATH: MESSAGE`, leaving out the parts that are absent; with several
    /// problems, one such line per problem, and a last line saying when decoding stopped
    /// at the limit.
    public var description: String {
        var lines = [line]
        lines += others.map(\.line)
        if truncated { lines.append("(stopped after \(lines.count) problems; fix these and run again for the rest)") }
        return lines.joined(separator: "\n")
    }

    /// This problem alone as `FILE: PATH: MESSAGE`.
    private var line: String {
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
        copy.others = others.map { $0.inFile(file) }
        return copy
    }
}
