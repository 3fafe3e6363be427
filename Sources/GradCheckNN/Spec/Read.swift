/// Typed readers for spec values. Each takes the value, its path and the file, and throws
/// a ``SpecError`` that says what was expected and shows what was found
/// (`expected a positive integer, got -3`).
enum Read {
    /// What a number must satisfy.
    enum Bound {
        case any
        case positive
        case nonNegative
        /// `[0, 1]`
        case unitClosed
        /// `[0, 1)`
        case unitHalfOpen
        /// `(0, 1)`
        case unitOpen
        /// `(0, 100]`
        case percent

        var expectation: String {
            switch self {
            case .any: return "a number"
            case .positive: return "a positive number"
            case .nonNegative: return "a non-negative number"
            case .unitClosed: return "a number in [0, 1]"
            case .unitHalfOpen: return "a number in [0, 1)"
            case .unitOpen: return "a number in (0, 1)"
            case .percent: return "a number in (0, 100]"
            }
        }

        func admits(_ x: Double) -> Bool {
            switch self {
            case .any: return true
            case .positive: return x > 0
            case .nonNegative: return x >= 0
            case .unitClosed: return x >= 0 && x <= 1
            case .unitHalfOpen: return x >= 0 && x < 1
            case .unitOpen: return x > 0 && x < 1
            case .percent: return x > 0 && x <= 100
            }
        }
    }

    static func fail(_ expectation: String, _ v: JSONValue, _ path: String, _ file: String?) -> SpecError {
        SpecError(file: file, path: path, message: "expected \(expectation), got \(v.shortDescription)")
    }

    /// A finite number.
    static func number(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Double {
        try number(.any)(v, path, file)
    }

    /// A finite number within `bound`.
    static func number(_ bound: Bound) -> (JSONValue, String, String?) throws(SpecError) -> Double {
        { (v: JSONValue, path: String, file: String?) throws(SpecError) -> Double in
            guard case let .number(x) = v, x.isFinite, bound.admits(x) else {
                throw fail(bound.expectation, v, path, file)
            }
            return x
        }
    }

    static func positiveNumber(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Double {
        try number(.positive)(v, path, file)
    }

    static func nonNegativeNumber(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Double {
        try number(.nonNegative)(v, path, file)
    }

    /// An integer ≥ 1.
    static func positiveInt(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Int {
        guard let n = v.intValue, n >= 1 else { throw fail("a positive integer", v, path, file) }
        return n
    }

    /// An integer ≥ 0.
    static func nonNegativeInt(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Int {
        guard let n = v.intValue, n >= 0 else { throw fail("a non-negative integer", v, path, file) }
        return n
    }

    static func bool(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> Bool {
        guard case let .bool(b) = v else { throw fail("true or false", v, path, file) }
        return b
    }

    static func string(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> String {
        guard case let .string(s) = v else { throw fail("a string", v, path, file) }
        return s
    }

    static func array(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> [JSONValue] {
        guard case let .array(a) = v else { throw fail("an array", v, path, file) }
        return a
    }

    /// A non-empty array of positive integers (a shape).
    static func positiveShape(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> [Int] {
        let elements = try array(v, path, file)
        guard !elements.isEmpty else {
            throw SpecError(file: file, path: path, message: "expected a non-empty array of positive integers, got []")
        }
        var shape: [Int] = []
        for (k, e) in elements.enumerated() {
            shape.append(try positiveInt(e, SpecPath.index(path, k), file))
        }
        return shape
    }

    /// The name of a type among `names`: an unknown name gets a did-you-mean; a name in
    /// `aliases` (a common spelling this format does not use) points to the right one.
    static func typeName(_ name: String, among names: [String], what: String, aliases: [String: String] = [:],
                         path: String, file: String?) throws(SpecError) {
        guard !names.contains(name) else { return }
        var hint = DidYouMean.hint(for: name, among: names)
        if let alias = aliases[name.lowercased()] { hint = "; did you mean \"\(alias)\"?" }
        throw SpecError(file: file, path: path, message: "unknown \(what) \"\(name)\"" + hint)
    }
}
