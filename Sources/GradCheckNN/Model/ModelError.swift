/// Why a model could not be built, or a weights file or batch does not fit it.
///
/// Each case carries where the problem is (a file, a JSON path or a layer) and what
/// was expected, so the message can be acted on.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in, if it came from one.
    public var file: String?
    /// Where in the file or model: a JSON path (`layers[2]`, `parameters["dense_1/kernel"]`)
    /// or a layer name.
    public var path: String
    /// What is wrong and what was expected.
    public var message: String
    /// Further problems of the same kind found in the same check (every mismatched
    /// parameter of a weights file), after this one.
    public var others: [ModelError] = []

    /// An error at `path` (in `file`, if known).
    public init(file: String? = nil, path: String, _ message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `FILE: PATH: MESSAGE`, one line per problem.
    public var description: String {
        ([self] + others).map { e in
            [e.file, e.path.isEmpty ? nil : e.path, e.message].compactMap { $0 }.joined(separator: ": ")
        }.joined(separator: "\n")
    }
}
