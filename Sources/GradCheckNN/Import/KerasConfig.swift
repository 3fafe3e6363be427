/// Reads one object of a Keras 3 serialisation (a layer's `config`, an initializer's,
/// the model's) and makes sure every argument in it is accounted for.
///
/// The importer never drops an argument silently: each key is either translated
/// (``take(_:)`` and the typed readers), checked to hold the value our format means
/// anyway (``requireDefault(_:_:because:)``), or named as irrelevant to the computation
/// (``ignore(_:)``: seeds, names of sublayers, `unroll`). ``finish()`` then refuses any key
/// left over, naming it with its JSON path in the Keras file.
struct KerasConfig {
    let object: JSONObject
    /// The JSON path of this object in the Keras file (`config.layers[3].config`).
    let path: String
    let file: String?
    /// What this object is, for messages: `Keras Dense`, `initializer GlorotUniform`.
    let what: String
    private var consumed: Set<String> = []

    /// Wraps `value`, which must be an object.
    init(_ value: JSONValue, path: String, file: String?, what: String) throws(SpecError) {
        guard case let .object(object) = value else {
            throw SpecError(file: file, path: path, message: "expected an object, got \(value.shortDescription)")
        }
        self.object = object
        self.path = path
        self.file = file
        self.what = what
    }

    /// The path of member `key`.
    func path(_ key: String) -> String { SpecPath.member(path, key) }

    /// An error at member `key`, or at this object when `key` is `nil`.
    func error(_ key: String?, _ message: String) -> SpecError {
        SpecError(file: file, path: key.map(path) ?? path, message: message)
    }

    /// The member `key` (`nil` when absent or `null`), marked as handled.
    mutating func take(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// The member `key`, which must be present and not `null`.
    mutating func require(_ key: String) throws(SpecError) -> JSONValue {
        guard let v = take(key) else { throw error(nil, "\(what) has no \"\(key)\"") }
        return v
    }

    /// Marks keys whose value does not change what the model computes (a seed, `unroll`).
    mutating func ignore(_ keys: String...) {
        for key in keys { consumed.insert(key) }
    }

    /// Accepts member `key` only when it is absent, `null`, or equal to `expected` (the
    /// value whose meaning our format has built in); anything else is refused.
    mutating func requireDefault(_ key: String, _ expected: JSONValue, because reason: String? = nil) throws(SpecError) {
        guard let v = take(key), v != expected else { return }
        if case let .number(x) = v, case let .number(y) = expected, x == y { return }
        let why = reason.map { " (\($0))" } ?? ""
        throw error(key, "\(what) argument \"\(key)\" = \(v.shortDescription) is not supported; "
            + "gradcheck only has \(expected.shortDescription)\(why)")
    }

    /// Accepts member `key` only when it is absent or `null`.
    mutating func requireNull(_ key: String, because reason: String? = nil) throws(SpecError) {
        guard let v = take(key) else { return }
        let why = reason.map { " (\($0))" } ?? ""
        throw error(key, "\(what) argument \"\(key)\" = \(v.shortDescription) is not supported\(why)")
    }

    /// Refuses the first key of the object not handled yet.
    func finish() throws(SpecError) {
        for key in object.keys where !consumed.contains(key) {
            throw error(key, "\(what) argument \"\(key)\" is not known to the importer, so it cannot be translated")
        }
    }

    // MARK: Typed members

    mutating func int(_ key: String) throws(SpecError) -> Int? {
        guard let v = take(key) else { return nil }
        guard let n = v.intValue else { throw Read.fail("an integer", v, path(key), file) }
        return n
    }

    mutating func positiveInt(_ key: String) throws(SpecError) -> Int {
        let v = try require(key)
        return try Read.positiveInt(v, path(key), file)
    }

    mutating func number(_ key: String) throws(SpecError) -> Double? {
        guard let v = take(key) else { return nil }
        return try Read.number(v, path(key), file)
    }

    mutating func bool(_ key: String) throws(SpecError) -> Bool? {
        guard let v = take(key) else { return nil }
        return try Read.bool(v, path(key), file)
    }

    mutating func string(_ key: String) throws(SpecError) -> String? {
        guard let v = take(key) else { return nil }
        return try Read.string(v, path(key), file)
    }

    /// A tuple of positive integers (`kernel_size: [3, 3]`), or one integer repeated
    /// `count` times; `nil` when absent.
    mutating func tuple(_ key: String, count: Int) throws(SpecError) -> [Int]? {
        guard let v = take(key) else { return nil }
        if let n = v.intValue, n >= 1 { return Array(repeating: n, count: count) }
        guard case let .array(elements) = v, elements.count == count else {
            throw Read.fail("a positive integer or \(count) of them", v, path(key), file)
        }
        var out: [Int] = []
        for (k, e) in elements.enumerated() { out.append(try Read.positiveInt(e, SpecPath.index(path(key), k), file)) }
        return out
    }

    /// The common members of every layer config: `name` (returned), `trainable` (must be
    /// true: a frozen layer changes which gradients exist) and `dtype` (a float policy;
    /// gradcheck picks the precision itself, float64 for checks).
    mutating func layerCommon() throws(SpecError) -> String? {
        let name = try string("name")
        try requireDefault("trainable", true, because: "a frozen layer has no gradients to check; gradcheck trains every layer")
        if let policy = take("dtype") { try KerasConfig.checkDTypePolicy(policy, path: path("dtype"), file: file) }
        return name
    }

    /// Accepts a floating dtype policy (`"float32"`, `{"class_name": "DTypePolicy", ...}`):
    /// gradcheck computes in the precision the command asks for (float64 for checks).
    static func checkDTypePolicy(_ v: JSONValue, path: String, file: String?) throws(SpecError) {
        let floating = ["float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16"]
        var name: String?
        if case let .string(s) = v { name = s }
        if case .object = v {
            guard v["class_name"]?.stringValue == "DTypePolicy" else {
                throw SpecError(file: file, path: path, message: "dtype policy \(v["class_name"]?.shortDescription ?? v.shortDescription) "
                    + "is not supported (quantised layers cannot be checked); only float policies are")
            }
            name = v["config"]?["name"]?.stringValue
        }
        guard let name, floating.contains(name) else {
            throw SpecError(file: file, path: path, message: "dtype \(v.shortDescription) is not supported; expected a float policy "
                + "(\(floating.joined(separator: ", ")))")
        }
    }
}
