/// A strict JSON parser (RFC 8259) over UTF-8 bytes, with errors that say where.
///
/// It reads one JSON value, optionally preceded by a UTF-8 byte-order mark and surrounded
/// by whitespace. Everything else is a ``SpecError``:
///
/// - syntax errors, with the line and column (1-based, in characters) of the offending
///   byte: `invalid JSON at line 3, column 14: expected ',' or '}' after an object member`;
/// - a key that appears twice in one object, with the path of the second one:
///   `layers[0].units: duplicate key (line 9, column 7)`;
/// - numbers too large for `Double` (`1e400`), `NaN` / `Infinity` literals (write them
///   as the strings `"nan"`, `"inf"`, `"-inf"`), invalid UTF-8, unpaired surrogate
///   escapes, and nesting deeper than ``maximumDepth``.
///
/// Numbers are converted with correct rounding: short decimals exactly on a fast path,
/// everything else through the standard library's `Double(String)`.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted. Deeper input is rejected
    /// rather than risking the stack.
    public static let maximumDepth = 100

    /// Parses one JSON document from UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - bytes: The document.
    ///   - file: The file name to put in errors, if any.
    /// - Throws: ``SpecError`` for any input that is not one valid JSON value.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(SpecError) -> JSONValue {
        var state = ParserState(bytes: bytes, file: file)
        return try state.parseDocument()
    }

    /// Parses one JSON document from a string.
    ///
    /// - Throws: ``SpecError`` for any input that is not one valid JSON value.
    public static func parse(_ text: String, file: String? = nil) throws(SpecError) -> JSONValue {
        try parse(Array(text.utf8), file: file)
    }
}

/// The cursor and bookkeeping of one parse.
private struct ParserState {
    let bytes: [UInt8]
    let file: String?
    var i = 0
    var depth = 0
    /// Where the parser is, for duplicate-key errors: object keys and array indices.
    var trail: [PathStep] = []

    enum PathStep {
        case key(String)
        case index(Int)
    }

    init(bytes: [UInt8], file: String?) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: Errors

    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var k = 0
        let end = min(offset, bytes.count)
        while k < end {
            let b = bytes[k]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            k += 1
        }
        return (line, column)
    }

    func syntaxError(_ message: String, at offset: Int? = nil) -> SpecError {
        let (line, column) = position(of: offset ?? i)
        return SpecError(file: file, path: "", message: "invalid JSON at line \(line), column \(column): \(message)")
    }

    func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        switch b {
        case 0x20: return "a space"
        case 0x0A: return "a line break"
        case 0x09: return "a tab"
        default: return "byte 0x" + String(b, radix: 16, uppercase: true)
        }
    }

    func trailPath() -> String {
        var path = ""
        for step in trail {
            switch step {
            case let .key(k): path = SpecPath.member(path, k)
            case let .index(n): path = SpecPath.index(path, n)
            }
        }
        return path
    }

    // MARK: Structure

    mutating func parseDocument() throws(SpecError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        skipWhitespace()
        if i >= bytes.count {
            throw syntaxError(bytes.isEmpty ? "the document is empty" : "the document has no value")
        }
        let value = try parseValue()
        skipWhitespace()
        if i < bytes.count {
            throw syntaxError("unexpected \(describeByte(at: i)) after the JSON value")
        }
        return value
    }

    mutating func skipWhitespace() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { return }
        }
    }

    mutating func parseValue() throws(SpecError) -> JSONValue {
        guard i < bytes.count else { throw syntaxError("unexpected end of input; expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw syntaxError(#"NaN and Infinity are not JSON; write them as the strings "nan", "inf" and "-inf""#)
        default:
            throw syntaxError("unexpected \(describeByte(at: i)); expected a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(SpecError) {
        let start = i
        let n = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { lit -> Bool in
            guard bytes.count - start >= n else { return false }
            for k in 0..<n where bytes[start + k] != lit[k] { return false }
            return true
        }
        guard matches else { throw syntaxError("invalid literal; expected \(word)", at: start) }
        i += n
    }

    mutating func enter() throws(SpecError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw syntaxError("nesting deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    mutating func parseArray() throws(SpecError) -> JSONValue {
        try enter()
        i += 1 // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(elements)
        }
        trail.append(.index(0))
        while true {
            trail[trail.count - 1] = .index(elements.count)
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw syntaxError("unexpected end of input inside an array; expected ',' or ']'") }
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { break }
            throw syntaxError("unexpected \(describeByte(at: i - 1)) in an array; expected ',' or ']'", at: i - 1)
        }
        trail.removeLast()
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(SpecError) -> JSONValue {
        try enter()
        i += 1 // {
        var object = JSONObject()
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(object)
        }
        trail.append(.key(""))
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw syntaxError("unexpected end of input inside an object; expected a key") }
            guard bytes[i] == UInt8(ascii: "\"") else {
                throw syntaxError("unexpected \(describeByte(at: i)); expected a string key in double quotes")
            }
            let keyStart = i
            let key = try parseString()
            trail[trail.count - 1] = .key(key)
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw syntaxError(i < bytes.count
                    ? "unexpected \(describeByte(at: i)) after a key; expected ':'"
                    : "unexpected end of input after a key; expected ':'")
            }
            i += 1
            skipWhitespace()
            let value = try parseValue()
            guard object.appendIfAbsent(key, value) else {
                let (line, column) = position(of: keyStart)
                throw SpecError(file: file, path: trailPath(), message: "duplicate key (line \(line), column \(column))")
            }
            skipWhitespace()
            guard i < bytes.count else { throw syntaxError("unexpected end of input inside an object; expected ',' or '}'") }
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            throw syntaxError("unexpected \(describeByte(at: i - 1)) after an object member; expected ',' or '}'", at: i - 1)
        }
        trail.removeLast()
        depth -= 1
        return .object(object)
    }

    // MARK: Strings

    mutating func parseString() throws(SpecError) -> String {
        let open = i
        i += 1 // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = try makeString(bytes[start..<i], at: start)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        var buffer = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = try makeString(buffer[...], at: start)
                i += 1
                return s
            }
            if b < 0x20 {
                throw syntaxError("unescaped control character (\(describeByte(at: i))) in a string")
            }
            if b != UInt8(ascii: "\\") {
                buffer.append(b)
                i += 1
                continue
            }
            let escapeStart = i
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): buffer.append(0x22)
            case UInt8(ascii: "\\"): buffer.append(0x5C)
            case UInt8(ascii: "/"): buffer.append(0x2F)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var code = UInt32(try hex4(escapeStart))
                if (0xD800...0xDBFF).contains(code) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw syntaxError("unpaired surrogate in a \\u escape", at: escapeStart)
                    }
                    i += 2
                    let low = UInt32(try hex4(escapeStart))
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw syntaxError("unpaired surrogate in a \\u escape", at: escapeStart)
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw syntaxError("unpaired surrogate in a \\u escape", at: escapeStart)
                }
                guard let scalar = Unicode.Scalar(code) else {
                    throw syntaxError("invalid \\u escape", at: escapeStart)
                }
                buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw syntaxError("invalid escape \\\(Character(Unicode.Scalar(e < 0x80 ? e : 0x3F)))", at: escapeStart)
            }
        }
        throw syntaxError("unterminated string (it opens here)", at: open)
    }

    mutating func hex4(_ escapeStart: Int) throws(SpecError) -> UInt16 {
        guard bytes.count - i >= 4 else { throw syntaxError("invalid \\u escape; expected four hex digits", at: escapeStart) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw syntaxError("invalid \\u escape; expected four hex digits", at: escapeStart)
            }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }

    func makeString(_ utf8: ArraySlice<UInt8>, at offset: Int) throws(SpecError) -> String {
        if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        guard let s = String(validating: utf8, as: UTF8.self) else {
            throw syntaxError("invalid UTF-8 in a string", at: offset)
        }
        return s
    }

    // MARK: Numbers

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func parseNumber() throws(SpecError) -> Double {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            guard i < bytes.count else { throw syntaxError("invalid number: '-' without digits", at: start) }
            if bytes[i] == UInt8(ascii: "I") {
                throw syntaxError(#"NaN and Infinity are not JSON; write them as the strings "nan", "inf" and "-inf""#, at: start)
            }
        }
        var mantissa: UInt64 = 0
        var exact = true
        var fractionDigits = 0
        guard i < bytes.count, Self.isDigit(bytes[i]) else {
            throw syntaxError("invalid number: expected a digit", at: i)
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, Self.isDigit(bytes[i]) {
                throw syntaxError("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while i < bytes.count, Self.isDigit(bytes[i]) {
                if mantissa < 900_719_925_474_099 {
                    mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30)
                } else {
                    exact = false
                }
                i += 1
            }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, Self.isDigit(bytes[i]) else {
                throw syntaxError("invalid number: expected a digit after '.'", at: i)
            }
            while i < bytes.count, Self.isDigit(bytes[i]) {
                if mantissa < 900_719_925_474_099 {
                    mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30)
                    fractionDigits += 1
                } else {
                    exact = false
                }
                i += 1
            }
        }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < bytes.count, Self.isDigit(bytes[i]) else {
                throw syntaxError("invalid number: expected a digit in the exponent", at: i)
            }
            while i < bytes.count, Self.isDigit(bytes[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let scale = exponent - fractionDigits
        if exact, scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            if scale >= 0 {
                value *= Self.powersOfTen[scale]
            } else {
                value /= Self.powersOfTen[-scale]
            }
            return negative ? -value : value
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw syntaxError("number \(text) is out of range for a 64-bit float", at: start)
        }
        return value
    }
}
