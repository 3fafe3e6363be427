/// What is wrong with a run log, or why one could not be read or written.
///
/// The ``description`` is the line the CLI prints: `FILE: line N: PATH: MESSAGE`, for
/// example `run.jsonl: line 7: params["dense_1/kernel"].grad_norm: expected a number,
/// got "big"`. Parts that are unknown are left out.
public struct RunLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The log file as the user named it; `nil` for in-memory input.
    public var file: String?
    /// The 1-based line of the log; `nil` for errors about the whole file.
    public var line: Int?
    /// The JSON path inside the line (`params["dense_1/kernel"].grad_norm`); empty for the
    /// whole line.
    public var path: String
    /// What is wrong, in one line: what was expected and what was found.
    public var message: String

    /// Creates an error.
    public init(file: String? = nil, line: Int? = nil, path: String = "", message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    /// `FILE: line N: PATH: MESSAGE`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let file, !file.isEmpty { parts.append(file) }
        if let line { parts.append("line \(line)") }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
