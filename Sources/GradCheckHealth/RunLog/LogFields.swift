import GradCheckNN

/// Reads the members of one JSON object of a run-log line, with the line and JSON path
/// in every error. Absent members and `null` read as `nil`; unknown members are ignored
/// (loggers of other frameworks add their own), so only wrong types are errors.
struct LogFields {
    let object: JSONObject
    let path: String
    let file: String?
    let line: Int

    init(_ value: JSONValue, path: String, file: String?, line: Int) throws(RunLogError) {
        guard case let .object(object) = value else {
            throw RunLogError(file: file, line: line, path: path, message: "expected an object, got \(value.shortDescription)")
        }
        self.object = object
        self.path = path
        self.file = file
        self.line = line
    }

    func path(_ key: String) -> String { SpecPath.member(path, key) }

    func error(_ key: String?, _ message: String) -> RunLogError {
        RunLogError(file: file, line: line, path: key.map(path) ?? path, message: message)
    }

    func fail(_ key: String, expected: String, _ value: JSONValue) -> RunLogError {
        error(key, "expected \(expected), got \(value.shortDescription)")
    }

    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// A number, or the string `"nan"`, `"inf"` or `"-inf"`.
    func number(_ key: String) throws(RunLogError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let x = v.extendedNumberValue else { throw fail(key, expected: "a number", v) }
        return x
    }

    func requiredNumber(_ key: String) throws(RunLogError) -> Double {
        guard let x = try number(key) else { throw error(nil, "missing required key \"\(key)\"") }
        return x
    }

    /// A number in `0...1` (a fraction).
    func fraction(_ key: String) throws(RunLogError) -> Double? {
        guard let x = try number(key) else { return nil }
        guard x >= 0, x <= 1 else { throw error(key, "expected a fraction in 0...1, got \(x)") }
        return x
    }

    /// A non-negative integer.
    func count(_ key: String) throws(RunLogError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.intValue, n >= 0 else { throw fail(key, expected: "a non-negative integer", v) }
        return n
    }

    func requiredCount(_ key: String) throws(RunLogError) -> Int {
        guard let n = try count(key) else { throw error(nil, "missing required key \"\(key)\"") }
        return n
    }

    func bool(_ key: String) throws(RunLogError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw fail(key, expected: "true or false", v) }
        return b
    }

    func string(_ key: String) throws(RunLogError) -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw fail(key, expected: "a string", v) }
        return s
    }

    func requiredString(_ key: String) throws(RunLogError) -> String {
        guard let s = try string(key) else { throw error(nil, "missing required key \"\(key)\"") }
        return s
    }

    func array(_ key: String) throws(RunLogError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .array(a) = v else { throw fail(key, expected: "an array", v) }
        return a
    }

    /// A nested object.
    func fields(_ key: String) throws(RunLogError) -> LogFields? {
        guard let v = value(key) else { return nil }
        return try LogFields(v, path: path(key), file: file, line: line)
    }

    /// The members of a nested object whose keys are names (`params`, `layers`), each an
    /// object; paths are written `params["dense_1/kernel"]`.
    func namedObjects(_ key: String) throws(RunLogError) -> [(String, LogFields)] {
        guard let outer = try fields(key) else { return [] }
        var result: [(String, LogFields)] = []
        result.reserveCapacity(outer.object.count)
        for (name, v) in outer.object {
            result.append((name, try LogFields(v, path: SpecPath.subscripted(outer.path, name), file: file, line: line)))
        }
        return result
    }

    /// The objects of an array member, with their paths.
    func objects(_ key: String) throws(RunLogError) -> [LogFields] {
        guard let elements = try array(key) else { return [] }
        var result: [LogFields] = []
        for (i, e) in elements.enumerated() {
            result.append(try LogFields(e, path: SpecPath.index(path(key), i), file: file, line: line))
        }
        return result
    }

    /// An array of integers (a shape).
    func integers(_ key: String) throws(RunLogError) -> [Int]? {
        guard let elements = try array(key) else { return nil }
        var result: [Int] = []
        for (i, e) in elements.enumerated() {
            guard let n = e.intValue, n >= 0 else {
                throw RunLogError(file: file, line: line, path: SpecPath.index(path(key), i),
                                  message: "expected a non-negative integer, got \(e.shortDescription)")
            }
            result.append(n)
        }
        return result
    }

    /// A string naming one of `choices`.
    func choice<T: RawRepresentable>(_ key: String, _: T.Type) throws(RunLogError) -> T?
    where T: CaseIterable, T.RawValue == String {
        guard let s = try string(key) else { return nil }
        guard let v = T(rawValue: s) else {
            let names = T.allCases.map(\.rawValue)
            throw error(key, "expected one of \(names.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\""
                        + DidYouMean.hint(for: s, among: names))
        }
        return v
    }
}
