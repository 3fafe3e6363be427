import GradCheckNN

/// Applies sweep values to a spec: each value is written into the spec's JSON at its
/// key, and the result is decoded and validated again, so an override is held to every
/// rule a spec file is (``ModelSpec/decode(_:file:)``, then ``Model/init(spec:file:)``).
///
/// - `KEY` is a path inside `training` (created when the spec has none);
/// - `layers.<name>.<field>...` is a path inside the layer of that (resolved) name,
///   looked up inside `residual` blocks too;
/// - `clipping` sets `training.clipping` and removes the optimiser's Keras clipping keys.
///
/// Intermediate objects that are missing are created; `none` removes the key.
public enum SweepOverride {
    /// The spec with every `(key, value)` of `point` applied, decoded and validated.
    ///
    /// - Throws: ``SweepError`` naming the key, the value, the JSON path it wrote and the
    ///   file's own error (`--grid optimizer.learning_rate=-1 (training.optimizer.learning_rate):
    ///   spec.json: training.optimizer.learning_rate: expected a number ≥ 0, got -1`).
    public static func spec(_ base: ModelSpec, point: [(key: String, value: SweepValue)],
                            file: String? = nil) throws(SweepError) -> ModelSpec {
        var json = base.jsonValue
        var written: [(key: String, value: SweepValue, path: String)] = []
        for (key, value) in point {
            let path = try apply(key, value, to: &json, file: file)
            written.append((key, value, path))
        }
        func blame(_ errorPath: String) -> String {
            let hit = written.first { !$0.path.isEmpty && (errorPath.hasPrefix($0.path) || $0.path.hasPrefix(errorPath) && !errorPath.isEmpty) }
            let list = hit.map { [$0] } ?? written
            return list.map { "--grid \($0.key)=\($0.value.text) (\($0.path))" }.joined(separator: ", ")
        }
        let spec: ModelSpec
        do {
            spec = try ModelSpec.decode(json, file: file)
        } catch {
            throw SweepError("\(blame(error.path)): \(error)")
        }
        do {
            _ = try Model(spec: spec, file: file)
        } catch {
            throw SweepError("\(blame(error.path)): \(error)")
        }
        return spec
    }

    /// Writes `value` at `key` into the spec JSON `json`; returns the JSON path written.
    ///
    /// - Throws: ``SweepError`` for a `layers.` key naming no layer (with a
    ///   did-you-mean), or a path through a value that is not an object.
    @discardableResult
    public static func apply(_ key: String, _ value: SweepValue, to json: inout JSONValue,
                             file: String? = nil) throws(SweepError) -> String {
        guard case var .object(root) = json else { throw SweepError("\(file ?? "spec"): expected a JSON object") }
        let parts = key.split(separator: ".").map(String.init)
        if key == SweepAxis.clippingKey {
            var training = root["training"]?.objectValue ?? JSONObject()
            if case var .object(optimizer)? = training["optimizer"] {
                for k in ["clipnorm", "clipvalue", "global_clipnorm"] { optimizer[k] = nil }
                training["optimizer"] = .object(optimizer)
            }
            switch value {
            case let .clipping(spec): training["clipping"] = spec.jsonValue
            case .none: training["clipping"] = nil
            case let .json(v): training["clipping"] = v
            }
            root["training"] = .object(training)
            json = .object(root)
            return "training.clipping"
        }
        if parts.first == "layers" {
            guard parts.count >= 3 else {
                throw SweepError("--grid \(key): expected layers.<name>.<field>, e.g. layers.dense_1.units")
            }
            let name = parts[1]
            guard var layers = root["layers"] else { throw SweepError("--grid \(key): the spec has no layers") }
            var names: [String] = []
            var path = ""
            let found = try setInLayer(named: name, fields: Array(parts[2...]), value: value, in: &layers,
                                       path: "layers", names: &names, written: &path, key: key)
            guard found else {
                throw SweepError("--grid \(key): the spec has no layer named \"\(name)\"\(DidYouMean.hint(for: name, among: names)) (layers: \(names.joined(separator: ", ")))")
            }
            root["layers"] = layers
            json = .object(root)
            return path
        }
        var training = root["training"] ?? .object(JSONObject())
        let path = try set(parts, value, in: &training, path: "training", key: key)
        root["training"] = training
        json = .object(root)
        return path
    }

    /// Sets `fields` inside the layer named `name` in the array `layers` (recursing into
    /// `residual` blocks); `false` when no layer has the name.
    static func setInLayer(named name: String, fields: [String], value: SweepValue, in layers: inout JSONValue,
                           path: String, names: inout [String], written: inout String,
                           key: String) throws(SweepError) -> Bool {
        guard case var .array(items) = layers else { return false }
        for i in items.indices {
            guard case var .object(layer) = items[i] else { continue }
            let layerPath = SpecPath.index(path, i)
            if let n = layer["name"]?.stringValue {
                names.append(n)
                if n == name {
                    var object = JSONValue.object(layer)
                    written = try set(fields, value, in: &object, path: layerPath, key: key)
                    items[i] = object
                    layers = .array(items)
                    return true
                }
            }
            if var inner = layer["layers"] {
                if try setInLayer(named: name, fields: fields, value: value, in: &inner, path: SpecPath.member(layerPath, "layers"),
                                  names: &names, written: &written, key: key) {
                    layer["layers"] = inner
                    items[i] = .object(layer)
                    layers = .array(items)
                    return true
                }
            }
        }
        return false
    }

    /// Sets the path `fields` inside the object `object` to `value` (removes it for
    /// ``SweepValue/none``), creating missing objects; returns the JSON path.
    static func set(_ fields: [String], _ value: SweepValue, in object: inout JSONValue, path: String,
                    key: String) throws(SweepError) -> String {
        guard case var .object(o) = object else {
            throw SweepError("--grid \(key): \(path) is \(object.kindDescription), not an object, so it has no key \"\(fields[0])\"")
        }
        let field = fields[0]
        let here = SpecPath.member(path, field)
        if fields.count == 1 {
            switch value {
            case .none: o[field] = nil
            case let .json(v): o[field] = v
            case let .clipping(spec): o[field] = spec.jsonValue
            }
            object = .object(o)
            return here
        }
        var child = o[field] ?? .object(JSONObject())
        let written = try set(Array(fields.dropFirst()), value, in: &child, path: here, key: key)
        o[field] = child
        object = .object(o)
        return written
    }
}
