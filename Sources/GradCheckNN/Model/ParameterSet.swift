import GradCheckTensor

/// Named tensors in a fixed order: a model's parameters, or their gradients.
///
/// Lookup by name is O(1); iteration follows insertion order, which for a model is
/// layer order, then each layer's parameter order.
public struct ParameterSet<Scalar: TensorScalar>: Sendable, Equatable {
    /// The names, in order.
    public private(set) var names: [String] = []
    /// The tensors, in the order of ``names``.
    public private(set) var tensors: [Tensor<Scalar>] = []
    private var position: [String: Int] = [:]

    /// An empty set.
    public init() {}

    /// A set from ordered pairs; a repeated name keeps the last tensor.
    public init(_ pairs: [(String, Tensor<Scalar>)]) {
        for (name, tensor) in pairs { self[name] = tensor }
    }

    /// The tensor named `name`, or `nil`. Setting a new name appends it.
    public subscript(name: String) -> Tensor<Scalar>? {
        get { position[name].map { tensors[$0] } }
        set {
            if let i = position[name] {
                if let newValue { tensors[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                position[name] = names.count
                names.append(name)
                tensors.append(newValue)
            }
        }
    }

    /// Replaces the tensor at position `i` (same name).
    public mutating func setTensor(_ tensor: Tensor<Scalar>, at i: Int) { tensors[i] = tensor }

    private mutating func remove(at i: Int) {
        names.remove(at: i)
        tensors.remove(at: i)
        position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    }

    /// The number of tensors.
    public var count: Int { names.count }
    /// The total number of elements.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }
    /// `(name, tensor)` pairs in order.
    public var pairs: [(String, Tensor<Scalar>)] { Array(zip(names, tensors)) }

    public static func == (a: ParameterSet, b: ParameterSet) -> Bool {
        a.names == b.names && a.tensors == b.tensors
    }
}

extension ParameterSet where Scalar == Double {
    /// A set from the named tensors of a weights or gradients file, in file order.
    public init(_ named: [NamedTensor]) {
        self.init(named.map { ($0.name, $0.tensor) })
    }

    /// The tensors as named tensors, for writing a weights or gradients file.
    public var namedTensors: [NamedTensor] { zip(names, tensors).map { NamedTensor(name: $0, tensor: $1) } }
}
