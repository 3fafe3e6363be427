/// A JSON document in memory, as read by ``JSONParser`` and written by ``JSONWriter``.
///
/// Numbers are held as `Double`; whether a number is integral is a question about its
/// value (``isInteger``), so `3` and `3.0` read the same. Objects keep their keys in the
/// order they were written or inserted (``JSONObject``), which makes every document the
/// toolkit writes byte-for-byte deterministic.
///
/// `JSON` itself has no NaN or infinity. A `.number` holding one is written by
/// ``JSONWriter`` as the string `"nan"`, `"inf"` or `"-inf"` (FORMATS.md §2), and
/// ``extendedNumberValue`` reads those strings back.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with its keys in order.
    case object(JSONObject)

    /// The boolean, or `nil` when this is not `.bool`.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The number, or `nil` when this is not `.number`.
    public var doubleValue: Double? {
        if case let .number(x) = self { return x }
        return nil
    }

    /// The number, also accepting the strings `"nan"`, `"inf"` and `"-inf"` that stand
    /// for the non-finite values JSON cannot hold; `nil` for anything else.
    public var extendedNumberValue: Double? {
        switch self {
        case let .number(x): return x
        case let .string(s):
            switch s {
            case "nan": return .nan
            case "inf": return .infinity
            case "-inf": return -.infinity
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether this is a finite number with no fractional part (`3`, `3.0`, `1e3`).
    public var isInteger: Bool {
        if case let .number(x) = self { return x.isFinite && x.rounded(.towardZero) == x }
        return false
    }

    /// The number as an `Int` when it is integral and exactly representable
    /// (|x| ≤ 2^53); `nil` otherwise.
    public var intValue: Int? {
        guard case let .number(x) = self, x.isFinite, x.rounded(.towardZero) == x,
              abs(x) <= 9_007_199_254_740_992 else { return nil }
        return Int(x)
    }

    /// The string, or `nil` when this is not `.string`.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The elements, or `nil` when this is not `.array`.
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The object, or `nil` when this is not `.object`.
    public var objectValue: JSONObject? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value stored under `key` when this is an object; `nil` when the key is absent
    /// or this is not an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// A number holding an integer.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue {
        .number(Double(value))
    }

    /// An array of numbers.
    public static func numbers(_ values: [Double]) -> JSONValue {
        .array(values.map { .number($0) })
    }

    /// An array of integers (shapes, indices).
    public static func integers(_ values: [Int]) -> JSONValue {
        .array(values.map { .number(Double($0)) })
    }

    /// The kind of value, for messages: `"null"`, `"a boolean"`, `"a number"`,
    /// `"a string"`, `"an array"` or `"an object"`.
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// A short rendering of this value for error messages: compact JSON cut to about
    /// 40 characters (`-3`, `"abc"`, `[1, 2, 3]`, `{"type": "dense", ...`).
    public var shortDescription: String {
        let full = JSONWriter(style: .compact).string(for: self, spaced: true)
        if full.count <= 40 { return full }
        return String(full.prefix(37)) + "..."
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// A number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// A number.
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An object with the keys in literal order; a repeated key keeps its first position
    /// and its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The value as compact JSON.
    public var description: String { JSONWriter(style: .compact).string(for: self) }
}
