import GradCheckNN

/// Builds one compact JSON object as UTF-8 bytes, member by member, into a single
/// buffer: the run log's lines are written this way, without an intermediate document
/// and without copies, because a `step` line is written on every optimiser step.
///
/// Numbers and strings are written exactly as ``JSONWriter`` writes them (shortest
/// round-trip form; `"nan"`, `"inf"`, `"-inf"` for non-finite values).
struct JSONLine {
    /// The bytes so far: the object is open until ``close()``.
    private(set) var bytes: [UInt8]
    /// Whether the innermost open object has no member yet.
    private var empty = true

    /// Starts an object in the storage of `buffer`, which is moved in (and left empty) and
    /// emptied with its capacity kept, so that a writer reuses one buffer for every line.
    init(reusing buffer: inout [UInt8]) {
        bytes = []
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
        if bytes.capacity < 512 { bytes.reserveCapacity(512) }
        bytes.append(0x7B)
    }

    private mutating func append(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            for b in s.utf8 { bytes.append(b) }
        }
    }

    private mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// A member name known at compile time (never needs escaping).
    private mutating func key(_ key: StaticString) {
        if !empty { append(0x2C) }
        empty = false
        append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        append(0x22)
        append(0x3A)
    }

    /// A member name from data (a parameter or layer name), escaped as needed.
    private mutating func key(name: String) {
        if !empty { append(0x2C) }
        empty = false
        appendString(name)
        append(0x3A)
    }

    /// Appends `s` as a JSON string: directly when it needs no escaping.
    private mutating func appendString(_ s: String) {
        if s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            append(JSONWriter.quoted(s))
        } else {
            append(0x22)
            append(s)
            append(0x22)
        }
    }

    mutating func string(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        appendString(value)
    }

    mutating func number(_ key: StaticString, _ value: Double?) {
        guard let value else { return }
        self.key(key)
        append(JSONWriter.numberText(value))
    }

    mutating func bool(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        append(value ? "true" : "false")
    }

    mutating func integer(_ key: StaticString, _ value: Int?) {
        guard let value else { return }
        self.key(key)
        append(String(value))
    }

    mutating func integers(_ key: StaticString, _ values: [Int]) {
        self.key(key)
        append("[" + values.map(String.init).joined(separator: ",") + "]")
    }

    mutating func numbers(_ key: StaticString, _ values: [Double]) {
        self.key(key)
        append("[" + values.map(JSONWriter.numberText).joined(separator: ",") + "]")
    }

    /// A nested object whose members `body` writes.
    mutating func object(_ key: StaticString, _ body: (inout JSONLine) -> Void) {
        self.key(key)
        openObject(body)
    }

    /// A nested object under a name from data (`params["dense_1/kernel"]`).
    mutating func object(name: String, _ body: (inout JSONLine) -> Void) {
        key(name: name)
        openObject(body)
    }

    private mutating func openObject(_ body: (inout JSONLine) -> Void) {
        append(0x7B)
        empty = true
        body(&self)
        append(0x7D)
        empty = false
    }

    /// An array of objects, one per element, each written by `body`.
    mutating func objects<T>(_ key: StaticString, _ elements: [T], _ body: (inout JSONLine, T) -> Void) {
        self.key(key)
        append(0x5B)
        for (i, e) in elements.enumerated() {
            if i > 0 { append(0x2C) }
            append(0x7B)
            empty = true
            body(&self, e)
            append(0x7D)
        }
        append(0x5D)
        empty = false
    }

    /// Closes the object; `newline` ends the line for a JSON Lines file.
    mutating func close(newline: Bool = false) {
        append(0x7D)
        if newline { append(0x0A) }
    }
}
