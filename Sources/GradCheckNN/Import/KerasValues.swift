/// Translations of the values Keras layers carry: activations, initializers,
/// regularizers and constraints, into the spellings of `gradcheck.model/1`.
enum KerasValues {
    /// Keras activation names (`keras.activations`) and the format's name for each. Every
    /// one has the same definition and defaults in both (`leaky_relu` slope 0.2, `elu`
    /// alpha 1, `gelu` exact, `softmax` over the last axis).
    static let activations: [String: String] = [
        "linear": "linear", "relu": "relu", "leaky_relu": "leaky_relu", "elu": "elu", "selu": "selu",
        "gelu": "gelu", "sigmoid": "sigmoid", "hard_sigmoid": "hard_sigmoid", "tanh": "tanh",
        "softplus": "softplus", "softsign": "softsign", "swish": "swish", "silu": "swish",
        "softmax": "softmax", "log_softmax": "log_softmax",
    ]

    /// An activation as Keras serialises it: a name, or `{"class_name": "function", "config": NAME}`.
    static func activation(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> JSONValue {
        var name = v.stringValue
        if name == nil, case .object = v { name = v["config"]?.stringValue ?? v["config"]?["name"]?.stringValue }
        guard let name else {
            throw SpecError(file: file, path: path, message: "expected a Keras activation name, got \(v.shortDescription)")
        }
        guard let ours = activations[name] else {
            throw SpecError(file: file, path: path, message: "Keras activation \"\(name)\" is not supported (supported: "
                + activations.keys.sorted().joined(separator: ", ") + ")")
        }
        return .string(ours)
    }

    /// `VarianceScaling` settings of the named Keras initializers: (scale, mode, distribution).
    static let varianceScaling: [(name: String, scale: Double, mode: String, distribution: String)] = [
        ("glorot_uniform", 1, "fan_avg", "uniform"), ("glorot_normal", 1, "fan_avg", "truncated_normal"),
        ("he_normal", 2, "fan_in", "truncated_normal"), ("he_uniform", 2, "fan_in", "uniform"),
        ("lecun_normal", 1, "fan_in", "truncated_normal"), ("lecun_uniform", 1, "fan_in", "uniform"),
    ]

    static let initializerClasses: [String: String] = [
        "Zeros": "zeros", "Ones": "ones", "Constant": "constant", "GlorotUniform": "glorot_uniform",
        "GlorotNormal": "glorot_normal", "HeNormal": "he_normal", "HeUniform": "he_uniform",
        "LecunNormal": "lecun_normal", "LecunUniform": "lecun_uniform", "RandomNormal": "random_normal",
        "RandomUniform": "random_uniform", "TruncatedNormal": "truncated_normal", "Orthogonal": "orthogonal",
        "VarianceScaling": "variance_scaling",
    ]

    /// An initializer (`{"class_name": "GlorotUniform", "config": {"seed": null}}`, or a
    /// bare name), as the format writes it; `nil` when it is `fallback` (our default for
    /// that parameter), so the spec only says what differs. Seeds are dropped: gradcheck
    /// draws initial values from its own seeded generator.
    static func initializer(_ v: JSONValue, fallback: InitializerSpec, path: String, file: String?) throws(SpecError) -> JSONValue? {
        let spec: InitializerSpec
        if case let .string(name) = v {
            spec = try InitializerSpec.decode(.string(kerasSnake(name)), path: path, file: file)
        } else {
            let className = try Read.string(v["class_name"] ?? .null, SpecPath.member(path, "class_name"), file)
            guard let ours = initializerClasses[className] else {
                throw SpecError(file: file, path: SpecPath.member(path, "class_name"),
                                message: "Keras initializer \"\(className)\" is not supported (supported: "
                                    + initializerClasses.keys.sorted().joined(separator: ", ") + ")")
            }
            var c = try KerasConfig(v["config"] ?? .object([:]), path: SpecPath.member(path, "config"), file: file,
                                    what: "initializer \(className)")
            c.ignore("seed")
            try c.requireNull("input_axes", because: "gradcheck computes fans from the parameter's shape")
            try c.requireNull("output_axes", because: "gradcheck computes fans from the parameter's shape")
            var o: JSONObject = ["type": .string(ours)]
            switch ours {
            case "constant":
                if let value = try c.number("value") { o["value"] = .number(value) }
            case "random_normal", "truncated_normal":
                if let mean = try c.number("mean") { o["mean"] = .number(mean) }
                if let stddev = try c.number("stddev") { o["stddev"] = .number(stddev) }
            case "random_uniform":
                if let lo = try c.number("minval") { o["minval"] = .number(lo) }
                if let hi = try c.number("maxval") { o["maxval"] = .number(hi) }
            case "orthogonal":
                if let gain = try c.number("gain") { o["gain"] = .number(gain) }
            case "variance_scaling":
                let scale = try c.number("scale") ?? 1
                let mode = try c.string("mode") ?? "fan_in"
                let distribution = try c.string("distribution") ?? "truncated_normal"
                guard let named = varianceScaling.first(where: {
                    $0.scale == scale && $0.mode == mode && $0.distribution == distribution
                }) else {
                    throw c.error(nil, "VarianceScaling(scale \(JSONWriter.numberText(scale)), \(mode), \(distribution)) "
                        + "has no counterpart in gradcheck (it has glorot, he and lecun, uniform and normal)")
                }
                o["type"] = .string(named.name)
            default:
                break
            }
            try c.finish()
            spec = try InitializerSpec.decode(.object(o), path: path, file: file)
        }
        if spec == fallback { return Optional<JSONValue>.none }
        return spec.jsonValue
    }

    /// A regularizer (`{"class_name": "L2", "config": {"l2": 0.01}}`, or `"l2"`), as
    /// `{"l2": 0.01}`; `nil` for `null`. Keras and the format both add `l2 * sum(w^2)`
    /// and `l1 * sum(|w|)`.
    static func regularizer(_ v: JSONValue?, path: String, file: String?) throws(SpecError) -> JSONValue? {
        guard let v, !v.isNull else { return Optional<JSONValue>.none }
        if case let .string(name) = v {
            // Keras' string forms use its default factor 0.01.
            switch name {
            case "l1": return ["l1": 0.01]
            case "l2": return ["l2": 0.01]
            case "l1_l2": return ["l1": 0.01, "l2": 0.01]
            default:
                throw SpecError(file: file, path: path, message: "Keras regularizer \"\(name)\" is not supported (l1, l2, l1_l2 are)")
            }
        }
        let className = try Read.string(v["class_name"] ?? .null, SpecPath.member(path, "class_name"), file)
        guard ["L1", "L2", "L1L2"].contains(className) else {
            throw SpecError(file: file, path: SpecPath.member(path, "class_name"),
                            message: "Keras regularizer \"\(className)\" is not supported (L1, L2 and L1L2 are)")
        }
        var c = try KerasConfig(v["config"] ?? .object([:]), path: SpecPath.member(path, "config"), file: file,
                                what: "regularizer \(className)")
        var o = JSONObject()
        if className != "L2", let l1 = try c.number("l1"), l1 != 0 { o["l1"] = .number(l1) }
        if className != "L1", let l2 = try c.number("l2"), l2 != 0 { o["l2"] = .number(l2) }
        try c.finish()
        if o.isEmpty { return Optional<JSONValue>.none }   // L1L2(0, 0) penalises nothing
        return try RegularizerSpec.decode(.object(o), path: path, file: file).jsonValue
    }

    /// `GlorotUniform` → `glorot_uniform`, for initializers given by name.
    static func kerasSnake(_ name: String) -> String {
        var out = ""
        for (k, ch) in name.enumerated() {
            if ch.isUppercase {
                if k > 0 { out.append("_") }
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
