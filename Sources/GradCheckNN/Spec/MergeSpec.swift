/// How a merge layer combines its inputs (Keras' merge layers).
public enum MergeOperation: String, Sendable, Equatable, CaseIterable {
    /// The elementwise sum.
    case add
    /// The first input minus the second (exactly two inputs).
    case subtract
    /// The elementwise product.
    case multiply
    /// The elementwise mean.
    case average
    /// The elementwise maximum (a tie is a kink).
    case maximum
    /// The elementwise minimum (a tie is a kink).
    case minimum
    /// The inputs joined along one axis.
    case concatenate
}

/// The configuration of a merge layer: `{"type": "add", "inputs": ["a", "b"]}`, or
/// `{"type": "concatenate", "axis": -1, "inputs": [...]}`.
///
/// Merges take at least two inputs (``MergeOperation/subtract`` exactly two), of equal
/// shapes except along the concatenation axis.
public struct MergeSpec: Sendable, Equatable {
    /// What the layer computes.
    public var operation: MergeOperation
    /// For ``MergeOperation/concatenate``: the axis, counted as Keras counts it, with the
    /// batch axis as 0 (so `1` is a sample's first axis) and `-1` the last; never 0.
    public var axis: Int

    /// A merge.
    public init(operation: MergeOperation, axis: Int = -1) {
        self.operation = operation
        self.axis = axis
    }

    /// The type names of the merge layers.
    static let typeNames = MergeOperation.allCases.map(\.rawValue)

    static func keys(for type: String) -> [String] { type == "concatenate" ? ["axis"] : [] }

    /// Reads a merge layer's keys.
    ///
    /// - Throws: ``SpecError`` for a non-integer `axis` or `axis` 0 (the batch axis).
    static func decode(_ r: ObjectReader, operation: MergeOperation) throws(SpecError) -> MergeSpec {
        guard operation == .concatenate else { return MergeSpec(operation: operation) }
        let axis = try r.get("axis", default: -1) { (v: JSONValue, path: String, file: String?) throws(SpecError) -> Int in
            guard let n = v.intValue else { throw Read.fail("an integer axis", v, path, file) }
            guard n != 0 else {
                throw SpecError(file: file, path: path,
                                message: "axis 0 is the batch axis; a sample's axes are 1, 2, ... (or -1 for the last)")
            }
            return n
        }
        return MergeSpec(operation: operation, axis: axis)
    }

    func encode(into o: inout JSONObject) {
        if operation == .concatenate { o["axis"] = .integer(axis) }
    }
}
