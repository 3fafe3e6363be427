/// A gradient-clipping policy (FORMATS.md §1, `training.clipping`).
///
/// Written as an object, `{"type": "global_norm", "max_norm": 1.0}`; types whose
/// parameters all have defaults (`none`, `agc`, `autoclip`, `zclip`) may also be written
/// as a bare string.
public enum ClippingSpec: Sendable, Equatable, Hashable {
    /// No clipping.
    case none
    /// Clip every element to `[-clipValue, clipValue]` (Keras `clipvalue`).
    case value(clipValue: Double)
    /// Rescale each parameter's gradient to norm at most `maxNorm` (Keras `clipnorm`).
    case norm(maxNorm: Double)
    /// Rescale all gradients together to global norm at most `maxNorm`
    /// (Keras `global_clipnorm`).
    case globalNorm(maxNorm: Double)
    /// Adaptive gradient clipping: unit-wise, relative to the weight norm.
    case agc(clipping: Double = 0.01, eps: Double = 1e-3)
    /// Clip to the given percentile of the gradient norms seen so far.
    case autoclip(percentile: Double = 10)
    /// Clip norms more than `zThreshold` standard deviations above an exponential moving
    /// average, after `warmupSteps` steps.
    case zclip(zThreshold: Double = 2.5, alpha: Double = 0.97, warmupSteps: Int = 25)

    /// Every type name the format knows.
    public static let typeNames = ["none", "value", "norm", "global_norm", "agc", "autoclip", "zclip"]

    /// The name in the format.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .value: return "value"
        case .norm: return "norm"
        case .globalNorm: return "global_norm"
        case .agc: return "agc"
        case .autoclip: return "autoclip"
        case .zclip: return "zclip"
        }
    }

    static let aliases = [
        "clipvalue": "value", "clip_value": "value", "clipnorm": "norm", "clip_norm": "norm",
        "global_clipnorm": "global_norm", "globalnorm": "global_norm", "global_clip_norm": "global_norm",
        "adaptive": "agc", "z_clip": "zclip", "auto_clip": "autoclip",
    ]

    static func keys(for type: String) -> [String] {
        switch type {
        case "value": return ["clip_value"]
        case "norm", "global_norm": return ["max_norm"]
        case "agc": return ["clipping", "eps"]
        case "autoclip": return ["percentile"]
        case "zclip": return ["z_threshold", "alpha", "warmup_steps"]
        default: return []
        }
    }

    /// Decodes the object (or bare-string) form.
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown type (with a did-you-mean), a key
    ///   the type does not take, a missing `clip_value` / `max_norm`, or an out-of-range
    ///   value (thresholds must be positive, `percentile` in (0, 100], `alpha` in [0, 1)).
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> ClippingSpec {
        let type: String
        let r: ObjectReader?
        switch value {
        case let .string(name):
            type = name
            r = nil
            try Read.typeName(name, among: typeNames, what: "clipping type", aliases: aliases, path: path, file: file)
        case .object:
            let reader = try ObjectReader(value, path: path, file: file)
            type = try reader.typeName()
            try Read.typeName(type, among: typeNames, what: "clipping type", aliases: aliases,
                              path: reader.path("type"), file: file)
            let own = keys(for: type)
            var elsewhere: [String: String] = [:]
            for other in typeNames {
                for key in keys(for: other) where !own.contains(key) {
                    elsewhere[key] = "clipping type \"\(type)\" has no parameter \"\(key)\""
                }
            }
            try reader.allowOnly(["type"] + own, elsewhere: elsewhere)
            r = reader
        default:
            throw Read.fail("a clipping object like {\"type\": \"global_norm\", \"max_norm\": 1.0}", value, path, file)
        }
        func required<T>(_ key: String, _ read: (JSONValue, String, String?) throws(SpecError) -> T) throws(SpecError) -> T {
            guard let r else {
                throw SpecError(file: file, path: path,
                                message: "clipping type \"\(type)\" needs \"\(key)\"; write {\"type\": \"\(type)\", \"\(key)\": ...}")
            }
            return try r.require(key, read)
        }
        func get<T>(_ key: String, _ fallback: T, _ read: (JSONValue, String, String?) throws(SpecError) -> T) throws(SpecError) -> T {
            guard let r else { return fallback }
            return try r.get(key, default: fallback, read)
        }
        switch type {
        case "value": return .value(clipValue: try required("clip_value", Read.positiveNumber))
        case "norm": return .norm(maxNorm: try required("max_norm", Read.positiveNumber))
        case "global_norm": return .globalNorm(maxNorm: try required("max_norm", Read.positiveNumber))
        case "agc":
            return .agc(clipping: try get("clipping", 0.01, Read.positiveNumber),
                        eps: try get("eps", 1e-3, Read.nonNegativeNumber))
        case "autoclip":
            return .autoclip(percentile: try get("percentile", 10, Read.number(.percent)))
        case "zclip":
            return .zclip(zThreshold: try get("z_threshold", 2.5, Read.positiveNumber),
                          alpha: try get("alpha", 0.97, Read.number(.unitHalfOpen)),
                          warmupSteps: try get("warmup_steps", 25, Read.nonNegativeInt))
        default:
            return .none
        }
    }

    /// The object form with every parameter: `{"type": "zclip", "z_threshold": 2.5, ...}`.
    public var jsonValue: JSONValue {
        var o: JSONObject = ["type": .string(typeName)]
        switch self {
        case .none: break
        case let .value(v): o["clip_value"] = .number(v)
        case let .norm(m), let .globalNorm(m): o["max_norm"] = .number(m)
        case let .agc(c, eps):
            o["clipping"] = .number(c)
            o["eps"] = .number(eps)
        case let .autoclip(p): o["percentile"] = .number(p)
        case let .zclip(z, alpha, warmup):
            o["z_threshold"] = .number(z)
            o["alpha"] = .number(alpha)
            o["warmup_steps"] = .integer(warmup)
        }
        return .object(o)
    }
}
