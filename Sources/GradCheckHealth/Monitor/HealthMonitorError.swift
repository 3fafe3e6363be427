/// Why the monitor refused a call: a name it was not told about, values of the wrong
/// size, a call after ``HealthMonitor/finish(status:)``, or a log it could not write.
public enum HealthMonitorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A name in `argument` (`gradients`, `parameters`, `updates`, `activations`) that is
    /// not among the parameters or layers the monitor was created with.
    case unknownName(String, argument: String, suggestion: String?)
    /// Values whose element count differs from the declared shape's.
    case elementCount(String, argument: String, expected: Int, got: Int)
    /// Two parameters or two layers with the same name at creation.
    case duplicateName(String)
    /// A negative `step` or `epoch` number (the log holds non-negative integers).
    case negativeNumber(String, Int)
    /// A record after ``HealthMonitor/finish(status:)``.
    case finished
    /// The log could not be written.
    case log(RunLogError)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case let .unknownName(name, argument, suggestion):
            let what = argument == "activations" ? "layer" : "parameter"
            return "\(argument)[\"\(name)\"]: unknown \(what)" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "")
        case let .elementCount(name, argument, expected, got):
            return "\(argument)[\"\(name)\"]: expected \(expected) elements for the declared shape, got \(got)"
        case let .duplicateName(name):
            return "\"\(name)\" is declared twice"
        case let .negativeNumber(argument, value):
            return "\(argument): expected a non-negative integer, got \(value)"
        case .finished:
            return "the run is finished: no more records"
        case let .log(error):
            return error.description
        }
    }
}
