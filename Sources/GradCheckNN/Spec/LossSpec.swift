/// The model's loss: which one, and whether the model outputs logits.
///
/// Written as a string (`"sparse_categorical_crossentropy"`) or an object:
/// `{"type": "categorical_crossentropy", "from_logits": true}`,
/// `{"type": "huber", "delta": 0.5}`.
public struct LossSpec: Sendable, Equatable, Hashable {
    /// Which loss.
    public var kind: LossKind
    /// Whether the model's output is logits rather than probabilities (cross-entropies
    /// only; always `false` for the others).
    public var fromLogits: Bool

    /// A loss.
    public init(kind: LossKind, fromLogits: Bool = false) {
        self.kind = kind
        self.fromLogits = fromLogits
    }

    /// Decodes the string or object form.
    ///
    /// - Throws: ``SpecError`` at `path` for an unknown loss (with a did-you-mean and
    ///   common aliases such as `"mse"`), `from_logits` on a loss that is not a
    ///   cross-entropy, `delta` on a loss other than `huber`, or a `delta` that is not
    ///   positive.
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> LossSpec {
        switch value {
        case let .string(name):
            return LossSpec(kind: try LossKind.named(name, path: path, file: file))
        case .object:
            let r = try ObjectReader(value, path: path, file: file)
            let name = try r.typeName()
            let kind = try LossKind.named(name, path: r.path("type"), file: file)
            let notHere = { (key: String) in "loss \"\(name)\" has no parameter \"\(key)\"" }
            switch kind {
            case .huber:
                try r.allowOnly(["type", "delta"], elsewhere: ["from_logits": notHere("from_logits")])
                return LossSpec(kind: .huber(delta: try r.get("delta", default: 1.0, Read.positiveNumber)))
            case _ where kind.isCrossentropy:
                try r.allowOnly(["type", "from_logits"], elsewhere: ["delta": notHere("delta")])
                return LossSpec(kind: kind, fromLogits: try r.get("from_logits", default: false, Read.bool))
            default:
                try r.allowOnly(["type"], elsewhere: ["delta": notHere("delta"), "from_logits": notHere("from_logits")])
                return LossSpec(kind: kind)
            }
        default:
            throw Read.fail("a loss name or object", value, path, file)
        }
    }

    /// The bare name when there is nothing else to say, else the object form.
    public var jsonValue: JSONValue {
        if case let .huber(delta) = kind, delta != 1.0 {
            return ["type": "huber", "delta": .number(delta)]
        }
        if fromLogits {
            return ["type": .string(kind.typeName), "from_logits": true]
        }
        return .string(kind.typeName)
    }
}
