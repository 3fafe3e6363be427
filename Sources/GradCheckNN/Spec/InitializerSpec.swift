/// How a parameter's initial values are drawn, with Keras 3 names and defaults.
///
/// Written as a string (`"he_normal"`) or an object with parameters:
/// `{"type": "random_normal", "stddev": 0.1}`, `{"type": "constant", "value": 0.5}`.
public enum InitializerSpec: Sendable, Equatable, Hashable {
    /// All zeros (the default for biases).
    case zeros
    /// All ones.
    case ones
    /// Every element `value`.
    case constant(value: Double = 0)
    /// Uniform in `±sqrt(6 / (fan_in + fan_out))` (the default for kernels).
    case glorotUniform
    /// Truncated normal with stddev `sqrt(2 / (fan_in + fan_out))`.
    case glorotNormal
    /// Truncated normal with stddev `sqrt(2 / fan_in)`.
    case heNormal
    /// Uniform in `±sqrt(6 / fan_in)`.
    case heUniform
    /// Truncated normal with stddev `sqrt(1 / fan_in)`.
    case lecunNormal
    /// Uniform in `±sqrt(3 / fan_in)`.
    case lecunUniform
    /// Normal with the given mean and standard deviation.
    case randomNormal(mean: Double = 0, stddev: Double = 0.05)
    /// Uniform in `[minval, maxval)`.
    case randomUniform(minval: Double = -0.05, maxval: Double = 0.05)
    /// Normal cut at two standard deviations.
    case truncatedNormal(mean: Double = 0, stddev: Double = 0.05)
    /// A (semi-)orthogonal matrix times `gain`, as Keras draws it: the Q factor of the QR
    /// decomposition of a standard normal matrix, with signs fixed so that R's diagonal is
    /// positive (the default for recurrent kernels).
    case orthogonal(gain: Double = 1)

    /// Every type name the format knows.
    public static let typeNames = [
        "zeros", "ones", "constant", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
        "lecun_normal", "lecun_uniform", "random_normal", "random_uniform", "truncated_normal",
        "orthogonal",
    ]

    /// The name in the format: `"glorot_uniform"`, `"random_normal"`, ...
    public var typeName: String {
        switch self {
        case .zeros: return "zeros"
        case .ones: return "ones"
        case .constant: return "constant"
        case .glorotUniform: return "glorot_uniform"
        case .glorotNormal: return "glorot_normal"
        case .heNormal: return "he_normal"
        case .heUniform: return "he_uniform"
        case .lecunNormal: return "lecun_normal"
        case .lecunUniform: return "lecun_uniform"
        case .randomNormal: return "random_normal"
        case .randomUniform: return "random_uniform"
        case .truncatedNormal: return "truncated_normal"
        case .orthogonal: return "orthogonal"
        }
    }

    static let aliases = [
        "zero": "zeros", "one": "ones", "xavier_uniform": "glorot_uniform",
        "xavier_normal": "glorot_normal", "kaiming_normal": "he_normal", "kaiming_uniform": "he_uniform",
        "glorotuniform": "glorot_uniform", "glorotnormal": "glorot_normal", "henormal": "he_normal",
        "heuniform": "he_uniform", "randomnormal": "random_normal", "randomuniform": "random_uniform",
        "uniform": "random_uniform", "normal": "random_normal",
    ]

    /// Decodes the string or object form.
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown name (with a did-you-mean), a key
    ///   the type does not have, a negative `stddev`, or `minval > maxval`.
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> InitializerSpec {
        switch value {
        case let .string(name):
            return try named(name, path: path, file: file)
        case .object:
            let r = try ObjectReader(value, path: path, file: file)
            let name = try r.typeName()
            let base = try named(name, path: r.path("type"), file: file)
            let notHere = { (key: String) in "initializer \"\(name)\" has no parameter \"\(key)\"" }
            let all = ["value", "mean", "stddev", "minval", "maxval", "gain"]
            func elsewhere(_ own: [String]) -> [String: String] {
                Dictionary(uniqueKeysWithValues: all.filter { !own.contains($0) }.map { ($0, notHere($0)) })
            }
            switch base {
            case .constant:
                try r.allowOnly(["type", "value"], elsewhere: elsewhere(["value"]))
                return .constant(value: try r.get("value", default: 0, Read.number))
            case .randomNormal, .truncatedNormal:
                try r.allowOnly(["type", "mean", "stddev"], elsewhere: elsewhere(["mean", "stddev"]))
                let mean = try r.get("mean", default: 0, Read.number)
                let stddev = try r.get("stddev", default: 0.05, Read.nonNegativeNumber)
                return name == "random_normal"
                    ? .randomNormal(mean: mean, stddev: stddev)
                    : .truncatedNormal(mean: mean, stddev: stddev)
            case .randomUniform:
                try r.allowOnly(["type", "minval", "maxval"], elsewhere: elsewhere(["minval", "maxval"]))
                let lo = try r.get("minval", default: -0.05, Read.number)
                let hi = try r.get("maxval", default: 0.05, Read.number)
                guard lo <= hi else {
                    throw r.error("maxval", "maxval \(JSONWriter.numberText(hi)) is below minval \(JSONWriter.numberText(lo))")
                }
                return .randomUniform(minval: lo, maxval: hi)
            case .orthogonal:
                try r.allowOnly(["type", "gain"], elsewhere: elsewhere(["gain"]))
                return .orthogonal(gain: try r.get("gain", default: 1, Read.number))
            default:
                try r.allowOnly(["type"], elsewhere: elsewhere([]))
                return base
            }
        default:
            throw Read.fail("an initializer name or object", value, path, file)
        }
    }

    static func named(_ name: String, path: String, file: String?) throws(SpecError) -> InitializerSpec {
        switch name {
        case "zeros": return .zeros
        case "ones": return .ones
        case "constant": return .constant()
        case "glorot_uniform": return .glorotUniform
        case "glorot_normal": return .glorotNormal
        case "he_normal": return .heNormal
        case "he_uniform": return .heUniform
        case "lecun_normal": return .lecunNormal
        case "lecun_uniform": return .lecunUniform
        case "random_normal": return .randomNormal()
        case "random_uniform": return .randomUniform()
        case "truncated_normal": return .truncatedNormal()
        case "orthogonal": return .orthogonal()
        default:
            try Read.typeName(name, among: typeNames, what: "initializer", aliases: aliases, path: path, file: file)
            return .zeros
        }
    }

    /// The spec as JSON: the bare name when the parameters are the defaults, else the
    /// object form with every parameter.
    public var jsonValue: JSONValue {
        switch self {
        case let .constant(value) where value != 0:
            return ["type": "constant", "value": .number(value)]
        case let .randomNormal(mean, stddev) where mean != 0 || stddev != 0.05:
            return ["type": "random_normal", "mean": .number(mean), "stddev": .number(stddev)]
        case let .truncatedNormal(mean, stddev) where mean != 0 || stddev != 0.05:
            return ["type": "truncated_normal", "mean": .number(mean), "stddev": .number(stddev)]
        case let .randomUniform(lo, hi) where lo != -0.05 || hi != 0.05:
            return ["type": "random_uniform", "minval": .number(lo), "maxval": .number(hi)]
        case let .orthogonal(gain) where gain != 1:
            return ["type": "orthogonal", "gain": .number(gain)]
        default:
            return .string(typeName)
        }
    }
}
