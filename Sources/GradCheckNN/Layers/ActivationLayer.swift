import GradCheckAutograd
import GradCheckTensor

/// A layer that applies one activation function and has no parameters.
public struct ActivationLayer: Layer {
    public let name: String
    public var typeName: String { "activation" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let outputActivation: Activation

    /// Builds the layer.
    public init(name: String, activation: Activation, inputShape: [Int]) {
        self.name = name
        self.outputActivation = activation
        self.inputShape = inputShape
    }

    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        outputActivation(x, on: tape)
    }

    public func forwardBeforeActivation<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        x
    }
}
