import GradCheckAutograd
import GradCheckTensor

/// A 2-D convolution on `[height, width, channels]` samples (NHWC, channels last),
/// `activation(conv(x, kernel) + bias)`, with Keras' layout and TensorFlow's padding.
///
/// Parameters: `kernel` `[kernel_h, kernel_w, in_channels, filters]` and, with `useBias`,
/// `bias` `[filters]`. The output is `[outH, outW, filters]` with `outH = ceil(h / s)` for
/// `same` padding and `floor((h - k) / s) + 1` for `valid` (see ``Window2D``).
public struct Conv2DLayer: Layer {
    public let name: String
    public var typeName: String { "conv2d" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    public let outputActivation: Activation
    /// The number of output channels.
    public let filters: Int
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// Where the kernel sits at each output position.
    public let window: Window2D

    /// What is wrong with `inputShape` for this configuration, or `nil` when the layer
    /// can take it: the input must be `[height, width, channels]`, and with `valid`
    /// padding the kernel must fit in it.
    public static func inputProblem(spec: Conv2DSpec, inputShape: [Int]) -> String? {
        guard inputShape.count == 3 else {
            return "needs an input of rank 3 (height, width, channels), got \(inputShape)"
        }
        if spec.padding == .valid && (inputShape[0] < spec.kernelSize[0] || inputShape[1] < spec.kernelSize[1]) {
            return "a \(spec.kernelSize[0])x\(spec.kernelSize[1]) kernel with valid padding does not fit an input of "
                + "\(inputShape[0])x\(inputShape[1]) (shape \(inputShape)); use smaller kernels or padding \"same\""
        }
        return nil
    }

    /// Builds the layer.
    ///
    /// - Precondition: ``inputProblem(spec:inputShape:)`` is `nil` (the model builder checks).
    public init(name: String, spec: Conv2DSpec, inputShape: [Int]) {
        precondition(Self.inputProblem(spec: spec, inputShape: inputShape) == nil,
                     "\(name): \(Self.inputProblem(spec: spec, inputShape: inputShape) ?? "")")
        let window = Window2D(inputHeight: inputShape[0], inputWidth: inputShape[1],
                              windowHeight: spec.kernelSize[0], windowWidth: spec.kernelSize[1],
                              strideHeight: spec.strides[0], strideWidth: spec.strides[1], same: spec.padding == .same)
        self.init(name: name, inputShape: inputShape, window: window, kernelShape: spec.kernelSize + [inputShape[2], spec.filters],
                  filters: spec.filters, useBias: spec.useBias, kernelInitializer: spec.kernelInitializer,
                  biasInitializer: spec.biasInitializer, kernelRegularizer: spec.kernelRegularizer.map(Regularizer.init),
                  biasRegularizer: spec.biasRegularizer.map(Regularizer.init),
                  activityRegularizer: spec.activityRegularizer.map(Regularizer.init), activation: Activation(spec.activation))
    }

    /// Builds the layer on a given window geometry, with the kernel parameter of
    /// `kernelShape` (any shape whose elements are `[kh, kw, in, filters]` row-major, so
    /// ``Conv1DLayer`` shares this layer with its `[k, in, filters]` kernel).
    init(name: String, inputShape: [Int], window: Window2D, kernelShape: [Int], filters: Int, useBias: Bool,
         kernelInitializer: InitializerSpec, biasInitializer: InitializerSpec, kernelRegularizer: Regularizer?,
         biasRegularizer: Regularizer?, activityRegularizer: Regularizer?, activation: Activation) {
        self.name = name
        self.inputShape = inputShape
        self.filters = filters
        self.useBias = useBias
        self.window = window
        self.outputShape = [window.outputHeight, window.outputWidth, filters]
        var params = [ParameterDescriptor(name: "\(name)/kernel", layer: name, shape: kernelShape,
                                          initializer: kernelInitializer, regularizer: kernelRegularizer)]
        if useBias {
            params.append(ParameterDescriptor(name: "\(name)/bias", layer: name, shape: [filters],
                                              initializer: biasInitializer, regularizer: biasRegularizer))
        }
        self.parameters = params
        self.activityRegularizer = activityRegularizer
        self.outputActivation = activation
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        outputActivation(forwardBeforeActivation(x, parameters, on: tape, context: context), on: tape)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forwardBeforeActivation<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let kernel = tape.value(parameters[0]).rank == 4 ? parameters[0]
            : tape.reshape(parameters[0], to: [window.windowHeight, window.windowWidth, inputShape[2], filters])
        let z = tape.conv2D(x, kernel, window: window)
        return useBias ? tape.addBias(z, parameters[1]) : z
    }

    /// A kernel element `(i, j, c, f)` or bias element `f` only changes output channel
    /// `f`, and the layer is linear in both before its activation: the perturbed
    /// pre-activation is `z + (w' − w)·cols[:, p]` in channel `f`, where `p = (i, j, c)` is
    /// the element's row of the kernel read as `[kh · kw · in, filters]` and `cols` the
    /// input's patches (or `z + (b' − b)` for a bias). This computes the patches and `z`
    /// once, updates channel `f` of a copy per change, then applies the activation once
    /// over all the changes stacked. A test pins the result to
    /// ``Layer/defaultPerturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``.
    ///
    /// - Complexity: O(positions · filters) per change (the copy), against
    ///   O(positions · kh · kw · in · filters) for a full pass.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let kernel = parameters[0]
        let n = filters
        let cols = input.im2col(window: window)
        let depth = cols.columnCount, rows = cols.rowCount
        var base = cols.matmul(kernel.reshaped(unchecked: [depth, n]))
        if useBias { base.addRow(parameters[1]) }
        let changes = elements.count
        var stacked = [S](repeating: 0, count: changes * base.count)
        stacked.withUnsafeMutableBufferPointer { out in
            base.scalars.withUnsafeBufferPointer { z in
                cols.scalars.withUnsafeBufferPointer { x in
                    for (c, element) in elements.enumerated() {
                        let o = out.baseAddress! + c * z.count
                        o.update(from: z.baseAddress!, count: z.count)
                        if parameter == 0 {
                            let p = element / n, f = element % n
                            let delta = values[c] - kernel.scalars[element]
                            for r in 0..<rows { o[r * n + f] += delta * x[r * depth + p] }
                        } else {
                            let delta = values[c] - parameters[1].scalars[element]
                            for r in 0..<rows { o[r * n + element] += delta }
                        }
                    }
                }
            }
        }
        var shape = [input.shape[0]] + outputShape
        shape[0] *= changes
        var out = Tensor(unchecked: shape, scalars: stacked)
        if !beforeActivation && !outputActivation.isLinear {
            let tape = Tape<S>(recording: false)
            out = tape.value(outputActivation(tape.constant(out), on: tape))
        }
        return out
    }
}
