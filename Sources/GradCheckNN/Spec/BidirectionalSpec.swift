/// How a `bidirectional` layer combines its forward and backward outputs (Keras `merge_mode`).
public enum MergeMode: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Side by side on the last axis (the default): `[…, 2 · units]`.
    case concat
    /// `forward + backward`.
    case sum
    /// `forward ⊙ backward`.
    case mul
    /// `(forward + backward) / 2`.
    case ave

    static func decode(_ v: JSONValue, _ path: String, _ file: String?) throws(SpecError) -> MergeMode {
        guard case let .string(s) = v else { throw Read.fail(#""concat", "sum", "mul" or "ave""#, v, path, file) }
        if let m = MergeMode(rawValue: s) { return m }
        try Read.typeName(s, among: allCases.map(\.rawValue), what: "merge_mode",
                          aliases: ["concatenate": "concat", "add": "sum", "multiply": "mul", "average": "ave", "mean": "ave"],
                          path: path, file: file)
        return .concat
    }
}

/// The configuration of a `bidirectional` layer (Keras `Bidirectional`):
/// `{"type": "bidirectional", "layer": {"type": "gru", "units": 8}, "merge_mode": "concat"}`.
///
/// Two copies of the recurrent `layer` (`simple_rnn`, `lstm` or `gru`) with their own
/// parameters, `<layer>/forward/...` and `<layer>/backward/...`: the backward copy reads the
/// sequence reversed and, with `return_sequences`, its outputs are reversed back before the
/// two are merged.
public struct BidirectionalSpec: Sendable, Equatable, Hashable {
    /// The recurrent layer types a `bidirectional` layer wraps.
    public enum LayerType: String, Sendable, Equatable, Hashable, CaseIterable {
        case simpleRNN = "simple_rnn", lstm, gru
    }

    /// The wrapped layer's type.
    public var layerType: LayerType
    /// The wrapped layer's configuration (shared by both copies; each has its own parameters).
    public var layer: RecurrentSpec
    /// How the two outputs are combined (default ``MergeMode/concat``).
    public var mergeMode: MergeMode

    /// A bidirectional wrapper around a recurrent layer.
    public init(layerType: LayerType, layer: RecurrentSpec, mergeMode: MergeMode = .concat) {
        self.layerType = layerType
        self.layer = layer
        self.mergeMode = mergeMode
    }

    static let keys = ["layer", "merge_mode"]

    /// Reads `layer` (a recurrent layer object; its `name`, if any, is ignored: the copies
    /// are named `forward` and `backward` under the wrapper) and `merge_mode`.
    static func decode(_ r: ObjectReader) throws(SpecError) -> BidirectionalSpec {
        let inner = try ObjectReader(try r.required("layer"), path: r.path("layer"), file: r.file)
        let type = try inner.require("type", Read.string)
        guard let layerType = LayerType(rawValue: type) else {
            let names = LayerType.allCases.map(\.rawValue)
            throw inner.error("type", "a bidirectional layer wraps a recurrent layer (\(names.joined(separator: ", "))), got \"\(type)\""
                + DidYouMean.hint(for: type, among: names))
        }
        guard let layer = try LayerKind.decode(inner).recurrentSpec else {
            throw inner.error("type", "expected a recurrent layer")
        }
        if layer.activityRegularizer != nil {
            throw inner.error("activity_regularizer", "an activity_regularizer on the layer inside a bidirectional wrapper is not supported")
        }
        return BidirectionalSpec(layerType: layerType, layer: layer,
                                 mergeMode: try r.get("merge_mode", default: .concat, MergeMode.decode))
    }

    func encode(into o: inout JSONObject) {
        var inner: JSONObject = ["type": .string(layerType.rawValue)]
        layer.encode(into: &inner, type: layerType.rawValue)
        o["layer"] = .object(inner)
        o["merge_mode"] = .string(mergeMode.rawValue)
    }
}

extension LayerKind {
    /// The configuration of a recurrent kind (`simple_rnn`, `lstm`, `gru`), else `nil`.
    public var recurrentSpec: RecurrentSpec? {
        switch self {
        case let .simpleRNN(s), let .lstm(s), let .gru(s): return s
        default: return nil
        }
    }
}
