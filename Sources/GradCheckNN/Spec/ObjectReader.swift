/// Reads the members of one JSON object of a spec, with paths for every error.
///
/// Typical use: check the allowed keys first (so a misspelt key is reported as such,
/// not as a missing one), then read each member.
struct ObjectReader {
    let object: JSONObject
    let path: String
    let file: String?

    /// Wraps `value`, which must be an object.
    init(_ value: JSONValue, path: String, file: String?) throws(SpecError) {
        guard case let .object(object) = value else {
            throw SpecError(file: file, path: path, message: "expected an object, got \(value.shortDescription)")
        }
        self.object = object
        self.path = path
        self.file = file
    }

    /// The path of member `key`.
    func path(_ key: String) -> String { SpecPath.member(path, key) }

    /// An error at member `key` (or at the object itself when `key` is `nil`).
    func error(_ key: String?, _ message: String) -> SpecError {
        SpecError(file: file, path: key.map(path) ?? path, message: message)
    }

    /// Reports every key (in document order) that is not in `allowed`.
    ///
    /// A key listed in `elsewhere` is known but does not belong here; its value is the
    /// reason (`does not apply to optimizer type "adam"`). Any other unknown key gets a
    /// did-you-mean suggestion among `allowed`. In a collecting decode
    /// (``SpecProblems``) each is recorded and reading goes on; otherwise the first throws.
    func allowOnly(_ allowed: [String], elsewhere: [String: String] = [:]) throws(SpecError) {
        for key in object.keys where !allowed.contains(key) {
            if let reason = elsewhere[key] {
                try SpecProblems.record(error(key, reason))
            } else {
                try SpecProblems.record(error(key, "unknown key" + DidYouMean.hint(for: key, among: allowed)))
            }
        }
    }

    /// The member `key`, or `nil` when it is absent or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// Whether member `key` is present and not `null`.
    func has(_ key: String) -> Bool { value(key) != nil }

    /// The member `key`, which must be present (a `null` is returned, so that the value
    /// reader reports `expected ..., got null`).
    func required(_ key: String) throws(SpecError) -> JSONValue {
        guard let v = object[key] else {
            throw error(nil, "missing required key \"\(key)\"")
        }
        return v
    }

    /// Reads member `key` with `read` when present; `nil` when absent or `null`. In a
    /// collecting decode a bad value is recorded and read as absent.
    func optional<T>(_ key: String, _ read: (JSONValue, String, String?) throws(SpecError) -> T) throws(SpecError) -> T? {
        guard let v = value(key) else { return nil }
        let p = path(key), file = file
        return try SpecProblems.attempt { () throws(SpecError) -> T in try read(v, p, file) }
    }

    /// Reads member `key` with `read`, or returns `fallback` when absent or `null`. In a
    /// collecting decode a bad value is recorded and `fallback` returned.
    func get<T>(_ key: String, default fallback: T, _ read: (JSONValue, String, String?) throws(SpecError) -> T) throws(SpecError) -> T {
        guard let v = value(key) else { return fallback }
        let p = path(key), file = file
        return try SpecProblems.attempt { () throws(SpecError) -> T in try read(v, p, file) } ?? fallback
    }

    /// Reads member `key` with `read`; it must be present.
    func require<T>(_ key: String, _ read: (JSONValue, String, String?) throws(SpecError) -> T) throws(SpecError) -> T {
        try read(try required(key), path(key), file)
    }

    /// Checks an optional `format` member against `expected`.
    func checkFormat(_ expected: String) throws(SpecError) {
        guard let v = value("format") else { return }
        guard case let .string(s) = v else {
            throw error("format", "expected the string \"\(expected)\", got \(v.shortDescription)")
        }
        guard s == expected else {
            throw error("format", "expected \"\(expected)\", got \"\(s)\"")
        }
    }

    /// Reads the `type` member of an object form (`{"type": "leaky_relu", ...}`).
    func typeName() throws(SpecError) -> String {
        try require("type", Read.string)
    }
}
