/// Which loss a model is trained on (FORMATS.md §1). Every loss is the mean over the batch.
public enum LossKind: Sendable, Equatable, Hashable {
    /// Mean of `(y - t)^2`.
    case meanSquaredError
    /// Mean of `|y - t|`.
    case meanAbsoluteError
    /// Quadratic within `delta` of the target, linear outside.
    case huber(delta: Double = 1.0)
    /// Binary cross-entropy on probabilities (or logits with `from_logits`).
    case binaryCrossentropy
    /// Cross-entropy against one-hot (or soft) targets.
    case categoricalCrossentropy
    /// Cross-entropy against integer class targets.
    case sparseCategoricalCrossentropy

    /// Every type name the format knows.
    public static let typeNames = [
        "mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
        "categorical_crossentropy", "sparse_categorical_crossentropy",
    ]

    /// The name in the format.
    public var typeName: String {
        switch self {
        case .meanSquaredError: return "mean_squared_error"
        case .meanAbsoluteError: return "mean_absolute_error"
        case .huber: return "huber"
        case .binaryCrossentropy: return "binary_crossentropy"
        case .categoricalCrossentropy: return "categorical_crossentropy"
        case .sparseCategoricalCrossentropy: return "sparse_categorical_crossentropy"
        }
    }

    /// Whether this is one of the cross-entropies (the losses that take `from_logits`).
    public var isCrossentropy: Bool {
        switch self {
        case .binaryCrossentropy, .categoricalCrossentropy, .sparseCategoricalCrossentropy: return true
        default: return false
        }
    }

    static let aliases = [
        "mse": "mean_squared_error", "mae": "mean_absolute_error", "huber_loss": "huber",
        "bce": "binary_crossentropy", "binary_cross_entropy": "binary_crossentropy",
        "categorical_cross_entropy": "categorical_crossentropy", "cross_entropy": "categorical_crossentropy",
        "crossentropy": "categorical_crossentropy",
        "sparse_categorical_cross_entropy": "sparse_categorical_crossentropy",
        "meansquarederror": "mean_squared_error", "meanabsoluteerror": "mean_absolute_error",
    ]

    static func named(_ name: String, path: String, file: String?) throws(SpecError) -> LossKind {
        switch name {
        case "mean_squared_error": return .meanSquaredError
        case "mean_absolute_error": return .meanAbsoluteError
        case "huber": return .huber()
        case "binary_crossentropy": return .binaryCrossentropy
        case "categorical_crossentropy": return .categoricalCrossentropy
        case "sparse_categorical_crossentropy": return .sparseCategoricalCrossentropy
        default:
            try Read.typeName(name, among: typeNames, what: "loss", aliases: aliases, path: path, file: file)
            return .meanSquaredError
        }
    }
}
