/// A sweep that cannot run: a bad `--grid` axis, an override the spec rejects, a results
/// file from another sweep, or shards that do not fit together. The message names the
/// axis key, the file and the JSON path, and what was expected.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, and where.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
