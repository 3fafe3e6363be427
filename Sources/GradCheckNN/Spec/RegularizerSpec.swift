/// A weight penalty: `l1 * sum(|w|) + l2 * sum(w^2)` (Keras conventions, no factor 1/2).
///
/// Written as `{"l1": a}`, `{"l2": b}` or both.
public struct RegularizerSpec: Sendable, Equatable, Hashable {
    /// The L1 coefficient (≥ 0).
    public var l1: Double
    /// The L2 coefficient (≥ 0).
    public var l2: Double

    /// A penalty with the given coefficients.
    public init(l1: Double = 0, l2: Double = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    /// Decodes `{"l1": a, "l2": b}`.
    ///
    /// - Throws: ``SpecError`` at `path` when the value is not an object, has neither
    ///   key, has another key, or a coefficient is negative or not a number.
    public static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> RegularizerSpec {
        guard case .object = value else {
            throw Read.fail(#"a regularizer object like {"l2": 0.01}"#, value, path, file)
        }
        let r = try ObjectReader(value, path: path, file: file)
        try r.allowOnly(["l1", "l2"])
        guard r.has("l1") || r.has("l2") else {
            throw r.error(nil, #"a regularizer needs "l1", "l2" or both"#)
        }
        return RegularizerSpec(
            l1: try r.get("l1", default: 0, Read.nonNegativeNumber),
            l2: try r.get("l2", default: 0, Read.nonNegativeNumber))
    }

    /// `{"l1": a, "l2": b}`, leaving out a coefficient that is zero (but always writing
    /// at least one).
    public var jsonValue: JSONValue {
        var o = JSONObject()
        if l1 != 0 { o["l1"] = .number(l1) }
        if l2 != 0 || l1 == 0 { o["l2"] = .number(l2) }
        return .object(o)
    }
}
