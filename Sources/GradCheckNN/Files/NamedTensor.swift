import GradCheckTensor

/// A tensor with its parameter name (`dense_1/kernel`), as weights and gradients files
/// hold them, in file order.
public struct NamedTensor: Sendable, Equatable {
    /// The parameter name, `<layer>/<param>`.
    public var name: String
    /// The values.
    public var tensor: Tensor<Double>

    /// A named tensor.
    public init(name: String, tensor: Tensor<Double>) {
        self.name = name
        self.tensor = tensor
    }

    /// Decodes a `{"name": TENSOR, ...}` map in order; paths are `path["name"]`.
    ///
    /// - Throws: ``SpecError`` when the value is not an object, a name is empty, or a
    ///   tensor is invalid.
    static func decodeMap(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> [NamedTensor] {
        guard case let .object(object) = value else {
            throw Read.fail("an object mapping parameter names to tensors", value, path, file)
        }
        var result: [NamedTensor] = []
        result.reserveCapacity(object.count)
        for (name, tensorValue) in object {
            let p = SpecPath.subscripted(path, name)
            guard !name.isEmpty else {
                try SpecProblems.record(SpecError(file: file, path: p, message: "a parameter name cannot be empty"))
                continue
            }
            // In a collecting decode a bad tensor is recorded and the next one read.
            if let tensor = try SpecProblems.attempt({ () throws(SpecError) -> Tensor<Double> in
                try TensorFile.decodeTensor(tensorValue, path: p, file: file)
            }) {
                result.append(NamedTensor(name: name, tensor: tensor))
            }
        }
        return result
    }

    /// `{"name": TENSOR, ...}` in order.
    static func jsonMap(_ tensors: [NamedTensor]) -> JSONValue {
        .object(JSONObject(tensors.map { ($0.name, TensorFile.jsonValue(of: $0.tensor)) }))
    }

    /// `tensors` with each name once: a repeated name keeps its first position and its
    /// last tensor.
    static func deduplicated(_ tensors: [NamedTensor]) -> [NamedTensor] {
        var position: [String: Int] = [:]
        var result: [NamedTensor] = []
        for t in tensors {
            if let i = position[t.name] {
                result[i] = t
            } else {
                position[t.name] = result.count
                result.append(t)
            }
        }
        return result
    }
}
