/// A problem with what the user gave the CLI: a flag, a value, a file. Exit status 2.
struct CLIError: Error, CustomStringConvertible {
    /// The message, naming the flag or file and what was expected.
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
