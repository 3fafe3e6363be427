/// Writes ``JSONValue`` documents deterministically.
///
/// - Keys are written in the object's order; nothing is sorted or reordered.
/// - Numbers are written so that reading them back gives the same `Double` bit for bit:
///   integral values with |x| < 2^53 as integers (`3`, not `3.0`; `-0` for negative zero),
///   everything else with Swift's shortest round-trip form (`0.1`, `1e-05`, `1e+100`).
/// - NaN and ±infinity, which JSON cannot hold, are written as the strings `"nan"`,
///   `"inf"` and `"-inf"` (FORMATS.md §2).
/// - Strings escape `"`, `\`, and control characters; other characters are written as
///   UTF-8.
///
/// ``Style/pretty`` indents by two spaces and keeps short things on one line: arrays
/// whose elements are all scalars (`[784, 64]`, a tensor's values), and objects whose
/// values are scalars or such arrays when they contain an array (a tensor
/// `{"shape": [2], "values": [1, 2]}`) or fit in 80 characters (`{"l2": 0.01}`).
/// ``Style/compact`` writes no whitespace at all and no line breaks, one document per
/// line as JSON Lines needs.
public struct JSONWriter: Sendable {
    /// How the output is laid out.
    public enum Style: Sendable, Equatable {
        /// No whitespace; a whole document on one line.
        case compact
        /// Indented by two spaces, short flat containers kept on one line.
        case pretty
    }

    /// The layout this writer uses.
    public var style: Style

    /// A writer with the given layout.
    public init(style: Style) {
        self.style = style
    }

    /// A compact writer.
    public static let compact = JSONWriter(style: .compact)
    /// A pretty-printing writer.
    public static let pretty = JSONWriter(style: .pretty)

    /// The document as text, without a trailing newline.
    public func string(for value: JSONValue) -> String {
        string(for: value, spaced: false)
    }

    /// The document as text with a trailing newline: what goes into a file.
    public func fileContents(for value: JSONValue) -> String {
        string(for: value) + "\n"
    }

    /// `spaced`: compact output with `", "` and `": "` separators (for messages).
    func string(for value: JSONValue, spaced: Bool) -> String {
        var out = ""
        switch style {
        case .compact: writeCompact(value, into: &out, spaced: spaced)
        case .pretty: writePretty(value, indent: 0, into: &out)
        }
        return out
    }

    /// The JSON text of one number, as ``JSONWriter`` writes it: `3`, `0.1`, `-0`,
    /// `1e-05`, or `"nan"`, `"inf"`, `"-inf"` (with the quotes) for non-finite values.
    public static func numberText(_ x: Double) -> String {
        if x.isNaN { return "\"nan\"" }
        if x.isInfinite { return x < 0 ? "\"-inf\"" : "\"inf\"" }
        if x == 0 { return x.sign == .minus ? "-0" : "0" }
        if x.rounded(.towardZero) == x, abs(x) < 9_007_199_254_740_992 {
            return String(Int64(x))
        }
        return x.description
    }

    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, into: &out)
        return out
    }

    static func appendQuoted(_ s: String, into out: inout String) {
        out.append("\"")
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(s)
            out.append("\"")
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    private func writeCompact(_ value: JSONValue, into out: inout String, spaced: Bool) {
        switch value {
        case .null: out.append("null")
        case let .bool(b): out.append(b ? "true" : "false")
        case let .number(x): out.append(Self.numberText(x))
        case let .string(s): Self.appendQuoted(s, into: &out)
        case let .array(elements):
            out.append("[")
            for (k, element) in elements.enumerated() {
                if k > 0 { out.append(spaced ? ", " : ",") }
                writeCompact(element, into: &out, spaced: spaced)
            }
            out.append("]")
        case let .object(object):
            out.append("{")
            for (k, member) in object.enumerated() {
                if k > 0 { out.append(spaced ? ", " : ",") }
                Self.appendQuoted(member.key, into: &out)
                out.append(spaced ? ": " : ":")
                writeCompact(member.value, into: &out, spaced: spaced)
            }
            out.append("}")
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }

    private static func isScalarArray(_ value: JSONValue) -> Bool {
        guard case let .array(elements) = value else { return false }
        return elements.allSatisfy(isScalar)
    }

    private func keepsOnOneLine(_ value: JSONValue) -> Bool {
        switch value {
        case let .array(elements):
            return elements.allSatisfy(Self.isScalar)
        case let .object(object):
            var hasArray = false
            for member in object {
                if Self.isScalar(member.value) { continue }
                guard Self.isScalarArray(member.value) else { return false }
                hasArray = true
            }
            if hasArray { return true }
            var probe = ""
            writeCompact(value, into: &probe, spaced: true)
            return probe.count <= 80
        default:
            return true
        }
    }

    private func writePretty(_ value: JSONValue, indent: Int, into out: inout String) {
        if keepsOnOneLine(value) {
            writeCompact(value, into: &out, spaced: true)
            return
        }
        let inner = String(repeating: " ", count: indent + 2)
        let closing = String(repeating: " ", count: indent)
        switch value {
        case let .array(elements):
            out.append("[\n")
            for (k, element) in elements.enumerated() {
                out.append(inner)
                writePretty(element, indent: indent + 2, into: &out)
                out.append(k + 1 < elements.count ? ",\n" : "\n")
            }
            out.append(closing + "]")
        case let .object(object):
            out.append("{\n")
            for (k, member) in object.enumerated() {
                out.append(inner)
                Self.appendQuoted(member.key, into: &out)
                out.append(": ")
                writePretty(member.value, indent: indent + 2, into: &out)
                out.append(k + 1 < object.count ? ",\n" : "\n")
            }
            out.append(closing + "}")
        default:
            writeCompact(value, into: &out, spaced: true)
        }
    }
}
