import GradCheckNN
import GradCheckTensor

/// Where a NaN or infinity first appears in what a check works on: a parameter, the
/// batch, or a value the forward or backward pass computes.
///
/// A check on non-finite numbers proves nothing (every comparison with NaN is false, and
/// an infinite loss has no finite differences), so the verifier stops at the first one
/// and reports it instead of results: ``CheckReport/passed`` is `false`.
public struct NonfiniteValue: Sendable, Equatable, CustomStringConvertible {
    /// The file the value came from, when known (a weights, batch or CSV file).
    public var file: String?
    /// The place: `parameters["dense_1/kernel"].values[17]`, `inputs.values[3]`,
    /// `targets.values[0]`, `line 7, column "x"`, or a pass and layer
    /// (`forward pass: output of layer dense_2 (dense)`).
    public var place: String
    /// The value found (NaN, +inf or -inf).
    public var value: Double

    /// A located non-finite value.
    public init(file: String? = nil, place: String, value: Double) {
        self.file = file
        self.place = place
        self.value = value
    }

    public var description: String {
        let v = value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")
        return (file.map { "\($0): " } ?? "") + "\(place): \(v)"
    }

    /// The first non-finite element of `tensor`, as `prefix.values[i]` (flat, row-major).
    /// - Complexity: O(n).
    public static func first(in tensor: Tensor<Double>, place prefix: String, file: String? = nil) -> NonfiniteValue? {
        guard let i = tensor.scalars.firstIndex(where: { !$0.isFinite }) else { return nil }
        return NonfiniteValue(file: file, place: "\(prefix).values[\(i)]", value: tensor.scalars[i])
    }

    /// The first non-finite value among a model's parameters (in model order), its batch,
    /// each layer's output on the forward pass, the loss, and the gradients of the
    /// backward pass: what ``ModelChecker`` looks at before it checks anything.
    static func first(model: Model, parameters: [Tensor<Double>], inputs: Tensor<Double>, targets: Targets<Double>,
                      layerOutputs: [Tensor<Double>], loss: () -> Double,
                      gradients: () -> [(name: String, tensor: Tensor<Double>)]) -> NonfiniteValue? {
        for (d, p) in zip(model.parameters, parameters) {
            if let bad = first(in: p, place: "parameters[\"\(d.name)\"]") { return bad }
        }
        if let bad = first(in: inputs, place: "inputs") { return bad }
        if case let .values(t) = targets, let bad = first(in: t, place: "targets") { return bad }
        // layerOutputs[i] is layer i's output, in topological order.
        for (layer, output) in zip(model.layers, layerOutputs) {
            if let j = output.scalars.firstIndex(where: { !$0.isFinite }) {
                return NonfiniteValue(place: "forward pass: output of layer \(layer.name) (\(layer.typeName)), element \(j)",
                                      value: output.scalars[j])
            }
        }
        let l = loss()
        if !l.isFinite { return NonfiniteValue(place: "forward pass: the loss (\(model.loss.spec.kind))", value: l) }
        for g in gradients() {
            if let bad = first(in: g.tensor, place: "backward pass: gradient of \(g.name)") { return bad }
        }
        return nil
    }
}
