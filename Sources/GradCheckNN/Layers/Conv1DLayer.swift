import GradCheckAutograd
import GradCheckTensor

/// A 1-D convolution on `[timesteps, channels]` samples, `activation(conv(x, kernel) + bias)`,
/// with Keras' layout: `kernel` `[kernel_size, in_channels, filters]`, `bias` `[filters]`.
///
/// It is a ``Conv2DLayer`` on `[timesteps, 1, channels]` with a `kernel_size × 1` window
/// (the kernel's elements are the same, row-major), so both share one convolution, one
/// VJP and one fast perturbation path. Padding: `valid`; `same` (TensorFlow's, on the
/// dilated span `d · (k − 1) + 1`); `causal`: `d · (k − 1)` zeros on the left, so output
/// step `t` sees input steps `≤ t` only.
public struct Conv1DLayer: Layer {
    public let name: String
    public var typeName: String { "conv1d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public var parameters: [ParameterDescriptor] { core.parameters }
    public var activityRegularizer: Regularizer? { core.activityRegularizer }
    public var outputActivation: Activation { core.outputActivation }
    /// The 2-D convolution on `[timesteps, 1, channels]` that computes this layer.
    public let core: Conv2DLayer

    /// What is wrong with `inputShape`, or `nil` when the layer can take it: the input must
    /// be `[timesteps, channels]`, and with `valid` padding the dilated kernel must fit.
    public static func inputProblem(spec: Conv1DSpec, inputShape: [Int]) -> String? {
        guard inputShape.count == 2 else {
            return "needs an input of rank 2 (timesteps, channels), got \(inputShape)"
        }
        let span = spec.dilationRate * (spec.kernelSize - 1) + 1
        if spec.padding == .valid && inputShape[0] < span {
            return "a kernel spanning \(span) steps (kernel_size \(spec.kernelSize), dilation_rate \(spec.dilationRate)) "
                + "with valid padding does not fit \(inputShape[0]) timesteps; use padding \"same\" or \"causal\""
        }
        return nil
    }

    /// The window of `spec` on `timesteps` steps, as a `k × 1` window on `[timesteps, 1]`.
    public static func window(spec: Conv1DSpec, timesteps: Int) -> Window2D {
        let k = spec.kernelSize, d = spec.dilationRate
        let span = d * (k - 1) + 1
        let before: Int, after: Int
        switch spec.padding {
        case .valid: (before, after) = (0, 0)
        case .causal: (before, after) = (span - 1, 0)
        case .same:
            let p = Window2D.padding(input: timesteps, window: span, stride: spec.strides, same: true)
            (before, after) = (p.before, p.after)
        }
        return Window2D(inputHeight: timesteps, inputWidth: 1, windowHeight: k, windowWidth: 1,
                        strideHeight: spec.strides, strideWidth: 1, dilationHeight: d, dilationWidth: 1,
                        padTop: before, padBottom: after, padLeft: 0, padRight: 0)
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: Conv1DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        let window = Self.window(spec: spec, timesteps: inputShape[0])
        self.core = Conv2DLayer(
            name: name, inputShape: [inputShape[0], 1, inputShape[1]], window: window,
            kernelShape: [spec.kernelSize, inputShape[1], spec.filters], filters: spec.filters, useBias: spec.useBias,
            kernelInitializer: spec.kernelInitializer, biasInitializer: spec.biasInitializer,
            kernelRegularizer: spec.kernelRegularizer.map(Regularizer.init),
            biasRegularizer: spec.biasRegularizer.map(Regularizer.init),
            activityRegularizer: spec.activityRegularizer.map(Regularizer.init), activation: Activation(spec.activation))
        self.outputShape = [window.outputHeight, spec.filters]
    }

    /// `[batch, T, C]` as `[batch, T, 1, C]`.
    func image<S: TensorScalar>(_ x: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        let shape = tape.value(x).shape
        return tape.reshape(x, to: [shape[0], shape[1], 1, shape[2]])
    }

    /// `[batch, T', 1, F]` as `[batch, T', F]`.
    func sequence<S: TensorScalar>(_ y: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        let shape = tape.value(y).shape
        return tape.reshape(y, to: [shape[0], shape[1], shape[3]])
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        sequence(core.forward(image(x, on: tape), parameters, on: tape, context: context), on: tape)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forwardBeforeActivation<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        sequence(core.forwardBeforeActivation(image(x, on: tape), parameters, on: tape, context: context), on: tape)
    }

    /// ``Conv2DLayer``'s column update on the `[batch, T, 1, C]` view (a test pins it to
    /// the default).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let shape = input.shape
        let out = core.perturbedOutputs(input: input.reshaped(unchecked: [shape[0], shape[1], 1, shape[2]]),
                                        parameters: parameters, parameter: parameter, elements: elements, values: values,
                                        beforeActivation: beforeActivation, context: context)
        return out.reshaped(unchecked: [out.shape[0], out.shape[1], out.shape[3]])
    }
}
