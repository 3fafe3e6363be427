import GradCheckAutograd
import GradCheckTensor

/// The mean over height and width: `[height, width, channels] → [channels]`.
public struct GlobalAveragePooling2DLayer: Layer {
    public let name: String
    public var typeName: String { "global_average_pooling2d" }
    public let inputShape: [Int]
    public var outputShape: [Int] { [inputShape[2]] }

    /// What is wrong with `inputShape`, or `nil` when the layer can take it.
    public static func inputProblem(inputShape: [Int]) -> String? {
        inputShape.count == 3 ? nil : "needs an input of rank 3 (height, width, channels), got \(inputShape)"
    }

    /// Builds the layer.
    ///
    /// - Precondition: `inputShape` has rank 3.
    public init(name: String, inputShape: [Int]) {
        precondition(inputShape.count == 3, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.globalAveragePool2D(x)
    }
}
