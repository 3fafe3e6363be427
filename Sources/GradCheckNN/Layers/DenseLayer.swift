import GradCheckAutograd
import GradCheckTensor

/// A fully connected layer, `activation(x · kernel + bias)`, acting on the last axis.
///
/// Parameters: `kernel` `[in, units]` and, with `useBias`, `bias` `[units]` (Keras layout).
public struct DenseLayer: Layer {
    public let name: String
    public var typeName: String { "dense" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    public let outputActivation: Activation
    /// The number of output units.
    public let units: Int
    /// Whether the layer adds a bias.
    public let useBias: Bool

    /// Builds the layer for `inputShape` (per sample; the last axis is the one transformed).
    public init(name: String, spec: DenseSpec, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
        self.units = spec.units
        self.useBias = spec.useBias
        self.outputShape = Array(inputShape.dropLast()) + [spec.units]
        let fanIn = inputShape.last ?? 1
        var params = [ParameterDescriptor(
            name: "\(name)/kernel", layer: name, shape: [fanIn, spec.units],
            initializer: spec.kernelInitializer, regularizer: spec.kernelRegularizer.map(Regularizer.init))]
        if spec.useBias {
            params.append(ParameterDescriptor(
                name: "\(name)/bias", layer: name, shape: [spec.units],
                initializer: spec.biasInitializer, regularizer: spec.biasRegularizer.map(Regularizer.init)))
        }
        self.parameters = params
        self.activityRegularizer = spec.activityRegularizer.map(Regularizer.init)
        self.outputActivation = Activation(spec.activation)
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
        let z = tape.matmul(x, parameters[0])
        return useBias ? tape.addBias(z, parameters[1]) : z
    }

    /// A kernel element `(i, j)` or bias element `j` only changes output column `j`: this
    /// recomputes that column (a dot product per row) on a copy of the unperturbed
    /// pre-activation, then applies the activation.
    ///
    /// - Complexity: O(rows · in) per change, against O(rows · in · units) for a full pass.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let kernel = parameters[0]
        let k = kernel.shape[0], n = units
        var base = input.matmul(kernel)
        if useBias { base.addRow(parameters[1]) }
        let rows = base.rowCount
        var stacked = [S]()
        stacked.reserveCapacity(elements.count * base.count)
        var column = [S](repeating: 0, count: k)
        for (element, value) in zip(elements, values) {
            let j = parameter == 0 ? element % n : element
            for p in 0..<k { column[p] = kernel.scalars[p * n + j] }
            if parameter == 0 { column[element / n] = value }
            let bias: S = useBias ? (parameter == 1 ? value : parameters[1].scalars[j]) : 0
            var z = base
            input.scalars.withUnsafeBufferPointer { xs in
                column.withUnsafeBufferPointer { w in
                    for r in 0..<rows {
                        let row = xs.baseAddress! + r * k
                        var acc: S = 0
                        for p in 0..<k { acc += row[p] * w[p] }
                        z.scalars[r * n + j] = acc + bias
                    }
                }
            }
            if !beforeActivation && !outputActivation.isLinear {
                let tape = Tape<S>(recording: false)
                z = tape.value(outputActivation(tape.constant(z), on: tape))
            }
            stacked.append(contentsOf: z.scalars)
        }
        var shape = base.shape
        shape[0] *= elements.count
        return Tensor(unchecked: shape, scalars: stacked)
    }
}
