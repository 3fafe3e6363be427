import GradCheckAutograd
import GradCheckTensor

/// Max or average pooling on `[height, width, channels]` samples, per channel.
///
/// - Max: each output is the largest element of its window; with `same` padding
///   (TensorFlow's) padded positions never win. The gradient goes to the first maximal
///   element of a window in row-major order, as TensorFlow sends it; a tie is a kink.
/// - Average: each output is the mean of its window; with `same` padding a window that
///   overlaps the padding averages over its elements inside the input only.
public struct Pooling2DLayer: Layer {
    /// Which reduction a window applies.
    public enum Reduction: Sendable, Equatable {
        case max, average
    }

    public let name: String
    /// The reduction.
    public let reduction: Reduction
    public var typeName: String { reduction == .max ? "max_pooling2d" : "average_pooling2d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The windows' geometry.
    public let window: Window2D

    /// What is wrong with `inputShape`, or `nil` when the layer can take it: the input
    /// must be `[height, width, channels]`, and with `valid` padding the window must fit.
    public static func inputProblem(spec: Pooling2DSpec, inputShape: [Int]) -> String? {
        guard inputShape.count == 3 else {
            return "needs an input of rank 3 (height, width, channels), got \(inputShape)"
        }
        if spec.padding == .valid && (inputShape[0] < spec.poolSize[0] || inputShape[1] < spec.poolSize[1]) {
            return "a \(spec.poolSize[0])x\(spec.poolSize[1]) pool with valid padding does not fit an input of "
                + "\(inputShape[0])x\(inputShape[1]) (shape \(inputShape)); use a smaller pool_size or padding \"same\""
        }
        return nil
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, reduction: Reduction, spec: Pooling2DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.reduction = reduction
        self.inputShape = inputShape
        self.window = Window2D(inputHeight: inputShape[0], inputWidth: inputShape[1],
                               windowHeight: spec.poolSize[0], windowWidth: spec.poolSize[1],
                               strideHeight: spec.strides[0], strideWidth: spec.strides[1], same: spec.padding == .same)
        self.outputShape = [window.outputHeight, window.outputWidth, inputShape[2]]
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        reduction == .max ? tape.maxPool2D(x, window: window) : tape.averagePool2D(x, window: window)
    }
}
