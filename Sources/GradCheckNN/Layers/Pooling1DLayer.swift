import GradCheckAutograd
import GradCheckTensor

/// Max or average pooling on `[timesteps, channels]` samples, per channel: a
/// ``Pooling2DLayer`` with a `pool_size × 1` window on `[timesteps, 1, channels]`, so the
/// two share one kernel, one VJP and one kink rule (a max tie sends the gradient to the
/// first maximal step, and the verifier reports the tie as a kink).
public struct Pooling1DLayer: Layer {
    public let name: String
    public var typeName: String { core.reduction == .max ? "max_pooling1d" : "average_pooling1d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The 2-D pooling on `[timesteps, 1, channels]` that computes this layer.
    public let core: Pooling2DLayer

    /// What is wrong with `inputShape`, or `nil` when the layer can take it: the input must
    /// be `[timesteps, channels]`, and with `valid` padding the window must fit.
    public static func inputProblem(spec: Pooling1DSpec, inputShape: [Int]) -> String? {
        guard inputShape.count == 2 else {
            return "needs an input of rank 2 (timesteps, channels), got \(inputShape)"
        }
        if spec.padding == .valid && inputShape[0] < spec.poolSize {
            return "a pool of \(spec.poolSize) steps with valid padding does not fit \(inputShape[0]) timesteps; "
                + "use a smaller pool_size or padding \"same\""
        }
        return nil
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, reduction: Pooling2DLayer.Reduction, spec: Pooling1DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.core = Pooling2DLayer(name: name, reduction: reduction,
                                   spec: Pooling2DSpec(poolSize: [spec.poolSize, 1], strides: [spec.strides, 1], padding: spec.padding),
                                   inputShape: [inputShape[0], 1, inputShape[1]])
        self.outputShape = [core.outputShape[0], inputShape[1]]
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let shape = tape.value(x).shape
        let y = core.forward(tape.reshape(x, to: [shape[0], shape[1], 1, shape[2]]), parameters, on: tape, context: context)
        return tape.reshape(y, to: [shape[0]] + outputShape)
    }
}
