import GradCheckTensor

/// The `inputs` of a batch or gradients file (FORMATS.md §2): one plain TENSOR for a model
/// with one input, or an object of tensors keyed by input name for a graph model with
/// several (`{"tokens": TENSOR, "positions": TENSOR}`).
public enum InputTensors: Sendable, Equatable {
    /// A plain TENSOR: the only input's.
    case single(Tensor<Double>)
    /// Tensors keyed by model input name, in file order, each name once.
    case named([NamedTensor])

    /// The tensors, in order.
    public var tensors: [Tensor<Double>] {
        switch self {
        case let .single(t): return [t]
        case let .named(list): return list.map(\.tensor)
        }
    }

    /// The names of the tensors, in order (`nil` for the plain form).
    public var names: [String?] {
        switch self {
        case .single: return [nil]
        case let .named(list): return list.map(\.name)
        }
    }

    /// The tensor named `name` (for a keyed form), or the single tensor when `name` is `nil`.
    public subscript(name: String?) -> Tensor<Double>? {
        switch self {
        case let .single(t): return name == nil ? t : nil
        case let .named(list): return list.first { $0.name == name }?.tensor
        }
    }

    /// Decodes a plain TENSOR (an object with a `shape` array) or an object of tensors.
    ///
    /// - Throws: ``SpecError`` at the exact path for an invalid tensor, an empty name, or an
    ///   empty object.
    static func decode(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> InputTensors {
        if case let .object(o) = value, case .array? = o["shape"] {
            return .single(try TensorFile.decodeTensor(value, path: path, file: file))
        }
        guard case let .object(o) = value else {
            throw Read.fail("a tensor, or an object of tensors keyed by input name", value, path, file)
        }
        guard !o.isEmpty else {
            throw SpecError(file: file, path: path, message: "expected a tensor, or an object of tensors keyed by input name, got {}")
        }
        var list: [NamedTensor] = []
        for (name, v) in o {
            let p = SpecPath.subscripted(path, name)
            guard !name.isEmpty else { throw SpecError(file: file, path: p, message: "an input name cannot be empty") }
            list.append(NamedTensor(name: name, tensor: try TensorFile.decodeTensor(v, path: p, file: file)))
        }
        return .named(list)
    }

    var jsonValue: JSONValue {
        switch self {
        case let .single(t): return TensorFile.jsonValue(of: t)
        case let .named(list): return NamedTensor.jsonMap(list)
        }
    }
}
