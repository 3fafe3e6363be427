import Foundation

/// Writes a run log, one JSON object per line, each line handed to the operating system
/// as soon as it is written: a run that is killed leaves a log that reads up to its last
/// whole line (FORMATS.md §3).
///
/// Each line goes out in one `write(2)` call, so a reader sees whole lines or a torn last
/// one, never an interleaving. Lines are not `fsync`ed one by one (that costs
/// milliseconds); ``close()`` syncs the file once.
///
/// ```swift
/// let writer = try RunLogWriter(path: "run.jsonl")
/// try writer.write(.step(RunStep(step: 1, loss: 2.3)))
/// ```
///
/// A writer made with ``init()`` keeps the lines in memory instead (``lines``), for tests
/// and for runs that only want the report.
public final class RunLogWriter {
    /// The file written, or `nil` for an in-memory writer.
    public let path: String?
    /// The lines written so far, without newlines, for an in-memory writer (empty for a
    /// file writer, which keeps nothing).
    public private(set) var lines: [String] = []
    private var descriptor: Int32 = -1
    /// The bytes of the line being written, reused from line to line.
    private var buffer: [UInt8] = []

    /// Creates (or truncates) the log file at `path`.
    ///
    /// - Parameter append: add to an existing file instead of truncating it.
    /// - Throws: ``RunLogError`` naming the file when it cannot be opened for writing.
    public init(path: String, append: Bool = false) throws(RunLogError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw RunLogError(file: path, message: "cannot open the file for writing: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates a writer that keeps its lines in memory.
    public init() {
        path = nil
    }

    deinit { close() }

    /// Writes one event as a line.
    ///
    /// - Throws: ``RunLogError`` naming the file when the write fails (disk full, closed).
    public func write(_ event: RunLogEvent) throws(RunLogError) {
        var line = event.encoded(reusing: &buffer)
        line.close(newline: true)
        buffer = line.bytes
        try writeBytes()
    }

    /// The text of everything written so far, for an in-memory writer: the lines, each
    /// ending in a newline.
    public var text: String { lines.map { $0 + "\n" }.joined() }

    /// Writes ``buffer`` (one whole line, newline included) in one `write(2)`.
    private func writeBytes() throws(RunLogError) {
        guard let path else {
            lines.append(String(decoding: buffer.dropLast(), as: UTF8.self))
            return
        }
        guard descriptor >= 0 else { throw RunLogError(file: path, message: "the log is closed") }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw RunLogError(file: path, message: "cannot write the log: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Syncs and closes the file; later writes fail. Closing twice does nothing.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = Foundation.close(descriptor)
        descriptor = -1
    }
}
