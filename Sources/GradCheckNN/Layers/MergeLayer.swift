import GradCheckAutograd
import GradCheckTensor

/// A merge layer of a graph model: `add`, `subtract`, `multiply`, `average`, `maximum`,
/// `minimum` (inputs of one shape) or `concatenate` (along one axis). It has no parameters
/// and treats samples independently.
public struct MergeLayer: Layer {
    public let name: String
    public var typeName: String { operation.rawValue }
    /// What the layer computes.
    public let operation: MergeOperation
    public let inputShapes: [[Int]]
    public var inputShape: [Int] { inputShapes[0] }
    public let outputShape: [Int]
    /// For `concatenate`: the concatenation axis among a sample's axes (0-based).
    public let sampleAxis: Int

    /// Why `spec` cannot merge inputs of `inputShapes`, or `nil` when it can: fewer than two
    /// inputs (exactly two for `subtract`), unequal shapes, or a concatenation axis out of
    /// range or shapes that differ off it.
    public static func inputProblem(spec: MergeSpec, inputShapes shapes: [[Int]]) -> String? {
        let op = spec.operation.rawValue
        if spec.operation == .subtract, shapes.count != 2 {
            return "\(op) takes exactly two inputs, got \(shapes.count)"
        }
        guard shapes.count >= 2 else { return "\(op) merges at least two inputs, got \(shapes.count)" }
        if spec.operation != .concatenate {
            for s in shapes where s != shapes[0] {
                return "\(op) needs inputs of one shape, got \(shapes.map { "\($0)" }.joined(separator: ", "))"
            }
            return nil
        }
        let rank = shapes[0].count
        guard let axis = sampleAxis(spec.axis, rank: rank) else {
            return "axis \(spec.axis) is out of range for inputs of shape \(shapes[0]) (axes 1...\(rank) or -\(rank)...-1)"
        }
        for s in shapes {
            guard s.count == rank, s.indices.allSatisfy({ $0 == axis || s[$0] == shapes[0][$0] }) else {
                return "concatenate on axis \(spec.axis) needs shapes equal off that axis, got "
                    + shapes.map { "\($0)" }.joined(separator: ", ")
            }
        }
        return nil
    }

    /// The 0-based sample axis of a Keras axis (batch axis 0) for samples of rank `rank`.
    static func sampleAxis(_ axis: Int, rank: Int) -> Int? {
        let a = axis < 0 ? rank + axis : axis - 1
        return a >= 0 && a < rank ? a : nil
    }

    /// The layer for inputs of `inputShapes`.
    ///
    /// - Precondition: ``inputProblem(spec:inputShapes:)`` is `nil` (the model builder checks).
    public init(name: String, spec: MergeSpec, inputShapes: [[Int]]) {
        self.name = name
        self.operation = spec.operation
        self.inputShapes = inputShapes
        let axis = spec.operation == .concatenate ? Self.sampleAxis(spec.axis, rank: inputShapes[0].count) ?? 0 : 0
        self.sampleAxis = axis
        var out = inputShapes[0]
        if spec.operation == .concatenate { out[axis] = inputShapes.reduce(0) { $0 + $1[axis] } }
        self.outputShape = out
    }

    /// One input: the layer is the identity (a one-input call of a merge).
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        forward(inputs: [x], parameters, on: tape, context: context)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        inputs xs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        guard xs.count > 1 else { return xs[0] }
        switch operation {
        case .add:
            return xs.dropFirst().reduce(xs[0]) { tape.add($0, $1) }
        case .subtract:
            return tape.subtract(xs[0], xs[1])
        case .multiply:
            return xs.dropFirst().reduce(xs[0]) { tape.multiply($0, $1) }
        case .average:
            return tape.scale(xs.dropFirst().reduce(xs[0]) { tape.add($0, $1) }, by: 1 / S(xs.count))
        case .maximum:
            return tape.extremum(xs, largest: true)
        case .minimum:
            return tape.extremum(xs, largest: false)
        case .concatenate:
            // Row-major: for each index before the axis, every input's block from the axis
            // on is contiguous, so the join is a column concatenation of 2-D views.
            let batch = tape.value(xs[0]).shape[0]
            let outer = batch * inputShapes[0][..<sampleAxis].reduce(1, *)
            let views = zip(xs, inputShapes).map { x, s in
                tape.reshape(x, to: [outer, s[sampleAxis...].reduce(1, *)])
            }
            return tape.reshape(tape.concatenateColumns(views), to: [batch] + outputShape)
        }
    }
}
