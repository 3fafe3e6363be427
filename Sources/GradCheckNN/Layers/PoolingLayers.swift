import GradCheckAutograd
import GradCheckTensor

/// What is wrong with `inputShape` for a pooling window, or `nil`: the input must be
/// `[height, width, channels]`, and with `valid` padding the window must fit.
func poolingInputProblem(spec: Pooling2DSpec, inputShape: [Int]) -> String? {
    guard inputShape.count == 3 else {
        return "needs an input of rank 3 (height, width, channels), got \(inputShape)"
    }
    if spec.padding == .valid && (inputShape[0] < spec.poolSize[0] || inputShape[1] < spec.poolSize[1]) {
        return "a \(spec.poolSize[0])x\(spec.poolSize[1]) pool with valid padding does not fit an input of "
            + "\(inputShape[0])x\(inputShape[1]) (shape \(inputShape)); use a smaller pool_size or padding \"same\""
    }
    return nil
}

func poolingWindow(spec: Pooling2DSpec, inputShape: [Int]) -> Window2D {
    Window2D(inputHeight: inputShape[0], inputWidth: inputShape[1],
             windowHeight: spec.poolSize[0], windowWidth: spec.poolSize[1],
             strideHeight: spec.strides[0], strideWidth: spec.strides[1], same: spec.padding == .same)
}

/// Max pooling on `[height, width, channels]` samples: each output is the largest
/// element of its window, per channel. With `same` padding (TensorFlow's), padded
/// positions never win. The gradient goes to the first maximal element of a window in
/// row-major order, as TensorFlow sends it; a tie is a kink of the function.
public struct MaxPooling2DLayer: Layer {
    public let name: String
    public var typeName: String { "max_pooling2d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The windows' geometry.
    public let window: Window2D

    /// What is wrong with `inputShape`, or `nil` when the layer can take it.
    public static func inputProblem(spec: Pooling2DSpec, inputShape: [Int]) -> String? {
        poolingInputProblem(spec: spec, inputShape: inputShape)
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: Pooling2DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.window = poolingWindow(spec: spec, inputShape: inputShape)
        self.outputShape = [window.outputHeight, window.outputWidth, inputShape[2]]
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.maxPool2D(x, window: window)
    }
}

/// Average pooling on `[height, width, channels]` samples: each output is the mean of
/// its window, per channel. With `same` padding (TensorFlow's) a window that overlaps the
/// padding averages over its elements inside the input only.
public struct AveragePooling2DLayer: Layer {
    public let name: String
    public var typeName: String { "average_pooling2d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The windows' geometry.
    public let window: Window2D

    /// What is wrong with `inputShape`, or `nil` when the layer can take it.
    public static func inputProblem(spec: Pooling2DSpec, inputShape: [Int]) -> String? {
        poolingInputProblem(spec: spec, inputShape: inputShape)
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: Pooling2DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.window = poolingWindow(spec: spec, inputShape: inputShape)
        self.outputShape = [window.outputHeight, window.outputWidth, inputShape[2]]
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.averagePool2D(x, window: window)
    }
}

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
