import GradCheckAutograd
import GradCheckTensor

/// Gives each sample a new shape with the same element count, in row-major order.
/// `flatten` is the special case whose target is one axis.
public struct ReshapeLayer: Layer {
    public let name: String
    public let typeName: String
    public let inputShape: [Int]
    public let outputShape: [Int]

    /// Builds the layer; `outputShape` must have `inputShape`'s element count.
    public init(name: String, typeName: String, inputShape: [Int], outputShape: [Int]) {
        self.name = name
        self.typeName = typeName
        self.inputShape = inputShape
        self.outputShape = outputShape
    }

    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.reshape(x, to: [tape.value(x).shape[0]] + outputShape)
    }
}
