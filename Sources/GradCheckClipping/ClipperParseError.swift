/// Why a policy written in CLI syntax could not be read.
public struct ClipperParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong, with a did-you-mean where one helps.
    public var message: String

    /// Creates an error. - Complexity: O(1).
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }

    /// `clipping policy "TEXT": MESSAGE`.
    public var description: String { "clipping policy \"\(text)\": \(message)" }
}
