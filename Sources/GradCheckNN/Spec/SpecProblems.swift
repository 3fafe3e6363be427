import Foundation

/// Collects the problems of one document, so that a file with several mistakes reports
/// them all at once (up to ``limit``) instead of one per run.
///
/// The mechanism sits under every decoder: ``ObjectReader`` records unknown keys and the
/// failures of optional members here and carries on with the default, and list decoders
/// (layers, tensor maps, tensor values) record a bad element and go on to the next. Outside
/// a collecting decode (``collecting(_:)``) nothing is recorded: every reader throws its
/// first problem, as a plain decoder does.
///
/// A decode that collects throws one ``SpecError``: the first problem, with the others in
/// ``SpecError/others`` (its ``SpecError/description`` prints one per line).
final class SpecProblems: @unchecked Sendable {
    // @unchecked Sendable: `errors` is only read and written under `lock`. The value is
    // bound to one synchronous decode with `@TaskLocal`, so in practice a single thread
    // touches it; the lock makes that an invariant rather than an assumption.

    /// The most problems one document reports; decoding stops at the next one.
    static let limit = 20

    /// The collection of the decode running on this task or thread, if any.
    @TaskLocal static var current: SpecProblems?

    private let lock = NSLock()
    private var errors: [SpecError] = []
    private var stopped = false

    /// Thrown by ``record(_:)`` once ``limit`` problems are recorded: ends the decode.
    private static let limitReached = SpecError(path: "", message: "\u{0}limit")

    /// Records `error` when a collecting decode is running (throwing only once the limit
    /// is reached), else throws it.
    static func record(_ error: SpecError) throws(SpecError) {
        guard let problems = current else { throw error }
        let full: Bool = problems.lock.withLock {
            problems.errors.append(error)
            if problems.errors.count >= limit { problems.stopped = true }
            return problems.stopped
        }
        if full { throw limitReached }
    }

    /// Runs `body`; a problem it throws is recorded and `nil` returned when collecting,
    /// and rethrown otherwise.
    static func attempt<T>(_ body: () throws(SpecError) -> T) throws(SpecError) -> T? {
        do {
            return try body()
        } catch {
            if error == limitReached { throw error }
            try record(error)
            return nil
        }
    }

    /// Whether any problem has been recorded in the running collection.
    static var hasProblems: Bool {
        guard let problems = current else { return false }
        return problems.lock.withLock { !problems.errors.isEmpty }
    }

    /// Runs a decode that collects its problems. `body` returns `nil` (or throws) when it
    /// cannot produce a value; any recorded problem makes the whole decode fail.
    ///
    /// A decode nested in another collecting decode joins the outer collection.
    ///
    /// - Throws: ``SpecError``: the first problem, with the rest in ``SpecError/others``.
    static func collecting<T>(_ body: () throws(SpecError) -> T?) throws(SpecError) -> T {
        if current != nil {
            guard let value = try body() else {
                throw SpecError(path: "", message: "the document is invalid")
            }
            return value
        }
        let problems = SpecProblems()
        let result: Result<T?, SpecError> = $current.withValue(problems) {
            do throws(SpecError) {
                return .success(try body())
            } catch {
                return .failure(error)
            }
        }
        var errors = problems.lock.withLock { problems.errors }
        switch result {
        case let .success(value?) where errors.isEmpty:
            return value
        case let .failure(error) where error != limitReached:
            errors.append(error)
        default:
            break
        }
        guard var first = errors.first else {
            throw SpecError(path: "", message: "the document is invalid")
        }
        first.others = Array(errors.dropFirst())
        first.truncated = problems.stopped
        throw first
    }
}
