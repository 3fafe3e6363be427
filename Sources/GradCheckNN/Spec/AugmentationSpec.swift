/// A data-augmentation layer (Keras 3 preprocessing-layer names and semantics): random in
/// training, and the identity at inference and at check time (``ForwardContext/augments``),
/// except `random_crop`, whose inference output is Keras' centre window resized to the
/// target size.
///
/// | type | keys (defaults) | what a training pass does, per sample |
/// |---|---|---|
/// | `random_flip` | `mode` (`horizontal_and_vertical`; or `horizontal`, `vertical`) | flips each named axis with probability ½ |
/// | `random_translation` | `height_factor`, `width_factor` (required), `fill_mode` (`reflect`), `fill_value` (0) | shifts by a uniform fraction of the height and width |
/// | `random_rotation` | `factor` (required), `fill_mode`, `fill_value` | rotates by a uniform fraction of 2π (positive: counter-clockwise) about the centre |
/// | `random_zoom` | `height_factor` (required), `width_factor` (default: the height's zoom), `fill_mode`, `fill_value` | zooms out by `1 + u` (u > 0 zooms out, u < 0 in) |
/// | `random_crop` | `height`, `width` (required) | a uniformly placed `height × width` window |
/// | `random_contrast` | `factor` (required) | `(x − mean) · c + mean` per channel, `c` uniform in `[1 − lower, 1 + upper]` |
/// | `gaussian_noise` | `stddev` (required) | adds `N(0, stddev²)` to every value |
/// | `feature_dropout` | `rate` (required, in [0, 1)) | replaces each value by 0 with probability `rate`, unscaled (after standardisation, 0 is the feature's training mean) |
///
/// A factor is a number `f` (the range `[−f, f]`) or a pair `[lower, upper]`. Image
/// layers take `[height, width, channels]` samples (`reshape` the 64 digits pixels to
/// `[8, 8, 1]`); interpolation is bilinear, and `fill_mode` is `reflect`
/// (`d c b a | a b c d | d c b a`), `constant` (`fill_value`), `nearest` or `wrap`, as in Keras.
/// `random_contrast` does not clip to a value range (Keras' `value_range`): the inputs are standardised.
public enum AugmentationSpec: Sendable, Equatable {
    /// `random_flip`.
    case randomFlip(horizontal: Bool, vertical: Bool)
    /// `random_translation`.
    case randomTranslation(height: ClosedRange<Double>, width: ClosedRange<Double>, fill: AugmentationFill)
    /// `random_rotation`.
    case randomRotation(factor: ClosedRange<Double>, fill: AugmentationFill)
    /// `random_zoom`; `width` `nil` zooms the width by the height's factor.
    case randomZoom(height: ClosedRange<Double>, width: ClosedRange<Double>?, fill: AugmentationFill)
    /// `random_crop`.
    case randomCrop(height: Int, width: Int)
    /// `random_contrast`.
    case randomContrast(factor: ClosedRange<Double>)
    /// `gaussian_noise`.
    case gaussianNoise(stddev: Double)
    /// `feature_dropout`.
    case featureDropout(rate: Double)

    /// The layer types, as the format names them.
    public static let typeNames = ["random_flip", "random_translation", "random_rotation", "random_zoom", "random_crop",
                                   "random_contrast", "gaussian_noise", "feature_dropout"]

    /// The type name of this layer.
    public var typeName: String {
        switch self {
        case .randomFlip: return "random_flip"
        case .randomTranslation: return "random_translation"
        case .randomRotation: return "random_rotation"
        case .randomZoom: return "random_zoom"
        case .randomCrop: return "random_crop"
        case .randomContrast: return "random_contrast"
        case .gaussianNoise: return "gaussian_noise"
        case .featureDropout: return "feature_dropout"
        }
    }

    /// Whether the layer needs `[height, width, channels]` samples.
    public var isImageLayer: Bool {
        switch self {
        case .gaussianNoise, .featureDropout: return false
        default: return true
        }
    }

    /// The keys of `type` besides `type` and `name`.
    static func keys(for type: String) -> [String] {
        switch type {
        case "random_flip": return ["mode"]
        case "random_translation": return ["height_factor", "width_factor", "fill_mode", "fill_value", "interpolation"]
        case "random_rotation": return ["factor", "fill_mode", "fill_value", "interpolation"]
        case "random_zoom": return ["height_factor", "width_factor", "fill_mode", "fill_value", "interpolation"]
        case "random_crop": return ["height", "width"]
        case "random_contrast": return ["factor"]
        case "gaussian_noise": return ["stddev"]
        case "feature_dropout": return ["rate"]
        default: return []
        }
    }

    /// Decodes the keys of an augmentation layer of `type`.
    ///
    /// - Throws: ``SpecError`` at the key for a bad value.
    static func decode(_ r: ObjectReader, type: String) throws(SpecError) -> AugmentationSpec {
        func fill() throws(SpecError) -> AugmentationFill {
            let mode = try r.get("fill_mode", default: "reflect", Read.string)
            guard let m = AugmentationFill.Mode(rawValue: mode) else {
                throw r.error("fill_mode", "expected one of reflect, constant, nearest, wrap, got \"\(mode)\"\(DidYouMean.hint(for: mode, among: AugmentationFill.Mode.allCases.map(\.rawValue)))")
            }
            let interpolation = try r.get("interpolation", default: "bilinear", Read.string)
            guard interpolation == "bilinear" else {
                throw r.error("interpolation", "only \"bilinear\" is supported, got \"\(interpolation)\"")
            }
            return AugmentationFill(mode: m, value: try r.get("fill_value", default: 0, Read.number(.any)))
        }
        switch type {
        case "random_flip":
            let mode = try r.get("mode", default: "horizontal_and_vertical", Read.string)
            switch mode {
            case "horizontal": return .randomFlip(horizontal: true, vertical: false)
            case "vertical": return .randomFlip(horizontal: false, vertical: true)
            case "horizontal_and_vertical": return .randomFlip(horizontal: true, vertical: true)
            default: throw r.error("mode", "expected horizontal, vertical or horizontal_and_vertical, got \"\(mode)\"")
            }
        case "random_translation":
            return .randomTranslation(height: try r.require("height_factor", factor(bound: 1)),
                                      width: try r.require("width_factor", factor(bound: 1)), fill: try fill())
        case "random_rotation":
            return .randomRotation(factor: try r.require("factor", factor(bound: nil)), fill: try fill())
        case "random_zoom":
            return .randomZoom(height: try r.require("height_factor", factor(bound: nil, above: -1)),
                               width: try r.optional("width_factor", factor(bound: nil, above: -1)), fill: try fill())
        case "random_crop":
            return .randomCrop(height: try r.require("height", Read.positiveInt), width: try r.require("width", Read.positiveInt))
        case "random_contrast":
            let f = try r.require("factor", factor(bound: 1, symmetricLower: true))
            return .randomContrast(factor: f)
        case "gaussian_noise":
            return .gaussianNoise(stddev: try r.require("stddev", Read.number(.nonNegative)))
        default:
            return .featureDropout(rate: try r.require("rate", Read.number(.unitHalfOpen)))
        }
    }

    /// Reads a factor: a number `f` (the range `[−f, f]`, or `[f, f]` for contrast,
    /// which is read as `[1 − f, 1 + f]`) or `[lower, upper]` with lower ≤ upper.
    static func factor(bound: Double?, above: Double? = nil, symmetricLower: Bool = false)
        -> (JSONValue, String, String?) throws(SpecError) -> ClosedRange<Double> {
        { (v: JSONValue, path: String, file: String?) throws(SpecError) -> ClosedRange<Double> in
            let what = "a number or a pair [lower, upper]" + (bound.map { " with |values| ≤ \(Int($0))" } ?? "")
                + (above.map { " above \(Int($0))" } ?? "")
            var range: ClosedRange<Double>
            if case let .number(f) = v, f.isFinite {
                guard f >= 0 else { throw Read.fail("a non-negative number (or a pair [lower, upper])", v, path, file) }
                range = symmetricLower ? f...f : -f...f
            } else if let a = v.arrayValue, a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue,
                      lo.isFinite, hi.isFinite, lo <= hi {
                range = lo...hi
            } else {
                throw Read.fail(what, v, path, file)
            }
            if let bound, range.lowerBound < -bound || range.upperBound > bound { throw Read.fail(what, v, path, file) }
            if let above, range.lowerBound <= above { throw Read.fail(what, v, path, file) }
            if symmetricLower && range.lowerBound < 0 { throw Read.fail("non-negative factors", v, path, file) }
            return range
        }
    }

    /// Writes the layer's keys.
    func encode(into o: inout JSONObject) {
        func pair(_ r: ClosedRange<Double>) -> JSONValue { .numbers([r.lowerBound, r.upperBound]) }
        func fill(_ f: AugmentationFill) {
            o["fill_mode"] = .string(f.mode.rawValue)
            if f.value != 0 { o["fill_value"] = .number(f.value) }
        }
        switch self {
        case let .randomFlip(h, v): o["mode"] = .string(h && v ? "horizontal_and_vertical" : (h ? "horizontal" : "vertical"))
        case let .randomTranslation(h, w, f): o["height_factor"] = pair(h); o["width_factor"] = pair(w); fill(f)
        case let .randomRotation(r, f): o["factor"] = pair(r); fill(f)
        case let .randomZoom(h, w, f):
            o["height_factor"] = pair(h)
            if let w { o["width_factor"] = pair(w) }
            fill(f)
        case let .randomCrop(h, w): o["height"] = .integer(h); o["width"] = .integer(w)
        case let .randomContrast(r): o["factor"] = pair(r)
        case let .gaussianNoise(s): o["stddev"] = .number(s)
        case let .featureDropout(rate): o["rate"] = .number(rate)
        }
    }
}

/// How an image augmentation fills the pixels it samples from outside the image.
public struct AugmentationFill: Sendable, Equatable {
    /// Keras' `fill_mode`.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// `d c b a | a b c d | d c b a` (half-sample symmetric).
        case reflect
        /// The constant ``AugmentationFill/value``.
        case constant
        /// `a a a a | a b c d | d d d d`.
        case nearest
        /// `a b c d | a b c d | a b c d`.
        case wrap
    }
    /// The mode.
    public var mode: Mode
    /// The value of `constant` filling.
    public var value: Double

    /// A fill rule.
    public init(mode: Mode, value: Double = 0) {
        self.mode = mode
        self.value = value
    }
}
