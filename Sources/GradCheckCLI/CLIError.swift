import GradCheck

/// A problem with what the user gave the CLI: a flag, a value, a file. Exit status 2.
struct CLIError: Error, CustomStringConvertible {
    /// The message, naming the flag or file and what was expected.
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// A NaN or infinity in what a command was given (weights, batch, CSV, reference): a
/// finding, not bad input, since the file is well-formed. Exit status 1.
struct NonfiniteInput: Error, CustomStringConvertible {
    /// Where it is: the file, and the place inside it.
    var value: NonfiniteValue
    /// The model's name, for a report.
    var model: String
    /// What the batch was, for a report.
    var batchDescription: String
    var description: String {
        "\(value): a check on non-finite numbers proves nothing; nothing was checked"
    }
}
