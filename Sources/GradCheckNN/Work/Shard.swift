/// One machine's share of a job split N ways, `--shard K/N`: the work items whose number
/// is `K − 1` modulo `N`, so every item is in exactly one of the N shards. Sweeps number
/// their trials; checks number the chunks of elements of every tensor (see
/// `GradientChecker.shard`).
public struct Shard: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// K, from 1.
    public var index: Int
    /// N.
    public var count: Int

    /// The shard K of N.
    ///
    /// - Throws: ``ShardError`` unless 1 ≤ K ≤ N.
    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, index >= 1, index <= count else {
            throw ShardError("--shard: expected K/N with 1 ≤ K ≤ N, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    ///
    /// - Throws: ``ShardError`` for anything else.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError("--shard: expected K/N (e.g. 2/4), got \"\(text)\"")
        }
        try self.init(index: k, count: n)
    }

    /// Whether the work item numbered `item` (from 0) is in this shard.
    public func contains(_ item: Int) -> Bool { item % count == index - 1 }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that is not `K/N` with 1 ≤ K ≤ N.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the value.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
