import GradCheckClipping
import GradCheckNN

/// One axis of a sweep: a key of the spec and the values it takes
/// (`--grid 'optimizer.learning_rate=1e-3,1e-2,1e-1'`).
///
/// A key is a path inside the spec's `training` block (`optimizer.learning_rate`,
/// `batch_size`, `early_stopping.patience`), `layers.<name>.<field>` for a layer's
/// setting (`layers.dense_1.kernel_regularizer.l2`, `layers.dropout_1.rate`), or
/// `clipping`, whose values are clipping policies in the syntax of `train --clip`
/// (`none`, `global_norm:1`, `agc:0.01`) and which replaces every other clipping of the
/// spec (the clip-lab preset sweeps this axis).
public struct SweepAxis: Sendable, Equatable, Hashable {
    /// The key, as given.
    public var key: String
    /// The values, in the order given.
    public var values: [SweepValue]

    /// An axis.
    public init(key: String, values: [SweepValue]) {
        self.key = key
        self.values = values
    }

    /// The key that sets the clipping policy.
    public static let clippingKey = "clipping"

    /// Parses `KEY=V1,V2,...`. A value is `none` (the key is removed), `true`/`false`, a
    /// number, or else a string; on the `clipping` axis, a clipping policy.
    ///
    /// - Throws: ``SweepError`` for a missing `=`, an empty key or value, a repeated
    ///   value, or (on `clipping`) a policy that does not parse.
    public static func parse(_ text: String) throws(SweepError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepError("--grid \(text): expected KEY=V1,V2,... (e.g. optimizer.learning_rate=1e-3,1e-2)")
        }
        let key = String(text[..<eq]).trimmingSpaces
        guard !key.isEmpty, !key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw SweepError("--grid \(text): expected a key such as optimizer.learning_rate or layers.dense_1.units before \"=\"")
        }
        let items = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        var values: [SweepValue] = []
        for item in items {
            guard !item.isEmpty else { throw SweepError("--grid \(key): an empty value in \"\(text)\"") }
            let value: SweepValue
            if key == clippingKey {
                do {
                    value = .clipping(try ClipperParser.parse(item))
                } catch {
                    throw SweepError("--grid \(key)=\(item): \(error)")
                }
            } else {
                value = SweepValue(parsing: item)
            }
            guard !values.contains(value) else { throw SweepError("--grid \(key): the value \(item) is given twice") }
            values.append(value)
        }
        return SweepAxis(key: key, values: values)
    }

    /// The axis as `KEY=V1,V2`.
    public var text: String { key + "=" + values.map(\.text).joined(separator: ",") }
}

/// One value of a ``SweepAxis``.
public enum SweepValue: Sendable, Equatable, Hashable {
    /// Removes the key from the spec.
    case none
    /// A JSON value set at the key.
    case json(JSONValue)
    /// A clipping policy (the `clipping` axis).
    case clipping(ClippingSpec)

    /// `none`, `true`/`false`, a number, or a string.
    public init(parsing text: String) {
        if text == "none" { self = .none; return }
        if text == "true" { self = .json(.bool(true)); return }
        if text == "false" { self = .json(.bool(false)); return }
        if let x = Double(text), x.isFinite { self = .json(.number(x)); return }
        self = .json(.string(text))
    }

    /// The value as written on the command line (`1e-3` comes back as `0.001`).
    public var text: String {
        switch self {
        case .none: return "none"
        case let .clipping(spec): return ClipperParser.text(of: spec)
        case let .json(.string(s)): return s
        case let .json(v): return JSONWriter.compact.string(for: v)
        }
    }

    /// The value in a results file or report: `null` for ``none``, the policy's text for
    /// a clipping policy, else the JSON value.
    public var jsonValue: JSONValue {
        switch self {
        case .none: return .null
        case let .clipping(spec): return .string(ClipperParser.text(of: spec))
        case let .json(v): return v
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(JSONWriter.compact.string(for: jsonValue))
    }

    /// The number, for axes of numbers (`nil` otherwise).
    public var number: Double? {
        if case let .json(.number(x)) = self { return x }
        return nil
    }
}


extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
