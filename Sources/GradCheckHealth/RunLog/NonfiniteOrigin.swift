/// Where a NaN or infinity first appeared in a step, as PyTorch's anomaly mode reports
/// it: the part of the step (inputs, forward, loss, backward, update), the layer and the
/// operation.
///
/// In a log: `"nonfinite": [{"pass": "forward", "layer": "dense_2", "op": "exp", "value": "nan"}]`.
public struct NonfiniteOrigin: Sendable, Equatable {
    /// Which part of the step produced the value, in the order a step runs.
    public enum Pass: String, Sendable, Equatable, CaseIterable {
        /// The batch itself (a NaN in the data).
        case inputs
        /// A layer's forward computation.
        case forward
        /// The loss (or a regulariser) on finite outputs.
        case loss
        /// A layer's backward computation (a gradient).
        case backward
        /// The parameters after the optimiser step.
        case update
    }

    /// The pass.
    public var pass: Pass
    /// The layer (`dense_2`); `nil` when not known or for the inputs.
    public var layer: String?
    /// The operation (`matmul`, `exp`, `log`), when known.
    public var op: String?
    /// The parameter whose gradient went non-finite, for the backward pass.
    public var parameter: String?
    /// The first non-finite value: NaN, or ±infinity.
    public var value: Double?

    /// Describes where a non-finite value appeared.
    public init(pass: Pass, layer: String? = nil, op: String? = nil, parameter: String? = nil, value: Double? = nil) {
        self.pass = pass
        self.layer = layer
        self.op = op
        self.parameter = parameter
        self.value = value
    }

    /// `the forward pass, layer dense_2, op exp (nan)`; `the inputs (nan)` for the data.
    public var summary: String {
        var parts = [pass == .inputs ? "the inputs" : pass == .loss ? "the loss" : "the \(pass.rawValue) pass"]
        if let layer { parts.append("layer \(layer)") }
        if let op { parts.append("op \(op)") }
        if let parameter { parts.append("parameter \(parameter)") }
        var text = parts.joined(separator: ", ")
        if let value { text += value.isNaN ? " (nan)" : (value > 0 ? " (inf)" : " (-inf)") }
        return text
    }
}

extension NonfiniteOrigin.Pass: Comparable {
    /// The order a step runs: inputs, forward, loss, backward, update.
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
