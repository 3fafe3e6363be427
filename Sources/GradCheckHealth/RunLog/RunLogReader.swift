import Foundation
import GradCheckNN

/// Reads a run log line by line, without holding the whole file in memory.
///
/// - Blank lines are skipped; `\r\n` line ends are accepted.
/// - Events of a kind this reader does not know are skipped and counted in ``warnings``
///   (FORMATS.md §3: readers skip event kinds they do not know).
/// - A last line that is not a whole JSON value (a run killed while writing it) is
///   reported in ``warnings`` and ends the log; a broken line anywhere else is an error.
/// - Unknown members of known events are ignored; a missing required member (`step`,
///   `loss`, each parameter's `grad_norm`) or a member of the wrong type is a
///   ``RunLogError`` naming the line and the JSON path.
///
/// ```swift
/// var reader = try RunLogReader(path: "run.jsonl")
/// while let event = try reader.next() { ... }
/// ```
public struct RunLogReader {
    private let source: ByteSource
    private let file: String?
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    private var unknownEvents: [String: (line: Int, count: Int)] = [:]
    private var unknownOrder: [String] = []
    private var ownWarnings: [RunLogWarning] = []

    /// Whether the current read stops at the end of the file without ending the log.
    private var following = false

    /// The number of the last line read (1-based; 0 before the first).
    public private(set) var line = 0

    /// Opens the log at `path`.
    ///
    /// - Throws: ``RunLogError`` when the file does not exist, is a directory or cannot
    ///   be opened.
    public init(path: String) throws(RunLogError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunLogError(file: path, message: "file not found")
        }
        guard !isDirectory.boolValue else { throw RunLogError(file: path, message: "is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RunLogError(file: path, message: "cannot open the file for reading")
        }
        source = ByteSource(handle: handle)
        file = path
    }

    /// Reads a log held in memory; `file` is the name to put in errors.
    public init(bytes: [UInt8], file: String? = nil) {
        source = ByteSource(handle: nil)
        buffer = bytes
        exhausted = true
        self.file = file
    }

    /// Reads a log held in a string.
    public init(text: String, file: String? = nil) {
        self.init(bytes: Array(text.utf8), file: file)
    }

    /// What was read past so far: the torn last line, and one entry per unknown event
    /// kind with its count and first line.
    public var warnings: [RunLogWarning] {
        var all = ownWarnings
        for name in unknownOrder {
            guard let u = unknownEvents[name] else { continue }
            all.append(RunLogWarning(kind: .unknownEvent, line: u.line,
                                     message: "skipped \(u.count) line\(u.count == 1 ? "" : "s") with unknown event \"\(name)\""))
        }
        return all.sorted { $0.line < $1.line }
    }

    /// The next event, or `nil` at the end of the log.
    ///
    /// - Throws: ``RunLogError`` for a line that is not a JSON object with a known
    ///   structure (except a torn last line, which ends the log with a warning).
    public mutating func next() throws(RunLogError) -> RunLogEvent? {
        while let (range, terminated) = try nextLine() {
            line += 1
            // Step lines, nearly all of a log, take the fast path when it understands them,
            // straight from the buffer.
            let fast = buffer.withUnsafeBufferPointer { all in
                StepLineScanner.scan(UnsafeBufferPointer(rebasing: all[range]))
            }
            if let fast { return .step(fast) }
            let bytes = Array(buffer[range])
            if bytes.allSatisfy(Self.isWhitespace) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                let isLast = !terminated ? true : try restIsBlank()
                if isLast {
                    ownWarnings.append(RunLogWarning(kind: .tornLastLine, line: line,
                                                     message: "the last line is cut off (\(bytes.count) bytes): ignored"))
                    position = buffer.count
                    exhausted = true
                    return nil
                }
                let message = error.message.replacingOccurrences(of: "at line 1, column", with: "at column")
                throw RunLogError(file: file, line: line, message: message)
            }
            if let event = try RunLogEvent.decode(value, file: file, line: line) { return event }
            let name = value["event"]?.stringValue ?? ""
            if name == "alert" {
                ownWarnings.append(RunLogWarning(kind: .unknownAlertKind, line: line,
                                                 message: "skipped an alert of unknown kind \"\(value["kind"]?.stringValue ?? "")\""))
            } else if let seen = unknownEvents[name] {
                unknownEvents[name] = (seen.line, seen.count + 1)
            } else {
                unknownEvents[name] = (line, 1)
                unknownOrder.append(name)
            }
        }
        return nil
    }

    /// The next event among the whole lines written so far, or `nil` when there is none
    /// yet: for a log that a run is still writing (`gradcheck report --follow`). A partial
    /// last line is kept and read once its newline arrives; call again later for more.
    ///
    /// - Throws: ``RunLogError`` as ``next()`` does (a broken line followed by more lines).
    public mutating func nextAvailable() throws(RunLogError) -> RunLogEvent? {
        following = true
        defer { following = false }
        return try next()
    }

    /// Records a warning found by a consumer (a repeated `run_start`).
    mutating func warn(_ warning: RunLogWarning) { ownWarnings.append(warning) }

    // MARK: Lines

    private static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    /// The next line's range in the buffer, without its terminator, and whether it had
    /// one. The range is valid until the next call.
    private mutating func nextLine() throws(RunLogError) -> (Range<Int>, Bool)? {
        while true {
            let start = position
            let newline: Int? = buffer.withUnsafeBufferPointer { all in
                guard start < all.count, let base = all.baseAddress,
                      let hit = memchr(base + start, 0x0A, all.count - start) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let newline {
                var end = newline
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let range = position..<end
                position = newline + 1
                return (range, true)
            }
            if exhausted {
                guard position < buffer.count else { return nil }
                let range = position..<buffer.count
                position = buffer.count
                return (range, false)
            }
            if try !refill(), following { return nil }
        }
    }

    /// Reads the next chunk of the file into the buffer, dropping what was consumed;
    /// whether there was one. At the end of the file the log ends, except while following
    /// (``nextAvailable()``), when more may come.
    @discardableResult
    private mutating func refill() throws(RunLogError) -> Bool {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        guard let chunk = try source.read(file: file) else {
            if !following { exhausted = true }
            return false
        }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Whether nothing but whitespace follows the current position.
    private mutating func restIsBlank() throws(RunLogError) -> Bool {
        while true {
            if !buffer[position...].allSatisfy(Self.isWhitespace) { return false }
            if exhausted { return true }
            position = buffer.count
            if try !refill(), following { return false }
        }
    }
}

/// Where a reader's bytes come from: a file read in chunks, or nothing (in-memory input).
private final class ByteSource {
    static let chunkSize = 1 << 16
    let handle: FileHandle?

    init(handle: FileHandle?) { self.handle = handle }

    deinit { try? handle?.close() }

    /// The next chunk, or `nil` at the end.
    func read(file: String?) throws(RunLogError) -> [UInt8]? {
        guard let handle else { return nil }
        do {
            guard let data = try handle.read(upToCount: Self.chunkSize), !data.isEmpty else { return nil }
            return [UInt8](data)
        } catch {
            throw RunLogError(file: file, message: "cannot read the file: \(error.localizedDescription)")
        }
    }
}
