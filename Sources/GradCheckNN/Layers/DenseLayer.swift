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

    /// A kernel element `(i, j)` or bias element `j` only changes output column `j`, and
    /// the layer is linear in both before its activation: the perturbed pre-activation is
    /// `z + (w' − w)·x[:, i]` in column `j` (or `z + (b' − b)` for a bias), exactly. This
    /// updates that column of a copy of the unperturbed pre-activation; an elementwise
    /// activation is then recomputed on that column only (the rest is copied from the
    /// activated unperturbed output), a softmax once over all the changes stacked. A test pins the result to
    /// ``Layer/defaultPerturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``,
    /// which reruns the forward pass.
    ///
    /// - Complexity: O(rows · units) per change (the copy), against O(rows · in · units)
    ///   for a full pass.
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
        let changes = elements.count
        // An elementwise activation changes with its column only: copy the activated
        // output and recompute the one column (`f` per element, as `f.apply` does).
        var columnActivation: UnaryFunction?
        if !beforeActivation, case let .elementwise(f) = outputActivation, f != .identity { columnActivation = f }
        let start = columnActivation.map { $0.apply(base) } ?? base
        var stacked = [S](repeating: 0, count: changes * base.count)
        stacked.withUnsafeMutableBufferPointer { out in
            base.scalars.withUnsafeBufferPointer { z in
                start.scalars.withUnsafeBufferPointer { a in
                    input.scalars.withUnsafeBufferPointer { x in
                        for (c, element) in elements.enumerated() {
                            let o = out.baseAddress! + c * z.count
                            o.update(from: a.baseAddress!, count: a.count)
                            let j = parameter == 0 ? element % n : element
                            let delta = values[c] - parameters[parameter].scalars[element]
                            let i = element / n
                            for r in 0..<rows {
                                let changed = z[r * n + j] + (parameter == 0 ? delta * x[r * k + i] : delta)
                                o[r * n + j] = columnActivation?.value(changed) ?? changed
                            }
                        }
                    }
                }
            }
        }
        var shape = base.shape
        shape[0] *= changes
        var out = Tensor(unchecked: shape, scalars: stacked)
        if !beforeActivation && columnActivation == nil && !outputActivation.isLinear {
            let tape = Tape<S>(recording: false)
            out = tape.value(outputActivation(tape.constant(out), on: tape))
        }
        return out
    }

    /// An input element in row `r` (of the rows the last axis makes), column `i`, only
    /// changes output row `r`, by `(x' − x)·kernel[i, :]` before the activation: this
    /// updates that row of a copy of the sample's unperturbed pre-activation.
    ///
    /// - Complexity: O(per-sample output + units) per change, against O(per-sample input · units).
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedInputOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], elements: [Int], values: [S],
        beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let kernel = parameters[0]
        let k = kernel.shape[0], n = units
        var base = input.matmul(kernel)
        if useBias { base.addRow(parameters[1]) }
        let batch = input.shape[0]
        let perIn = input.count / batch, perOut = base.count / batch
        var stacked = [S](repeating: 0, count: elements.count * perOut)
        stacked.withUnsafeMutableBufferPointer { out in
            base.scalars.withUnsafeBufferPointer { z in
                kernel.scalars.withUnsafeBufferPointer { w in
                    for (c, element) in elements.enumerated() {
                        let b = element / perIn
                        let o = out.baseAddress! + c * perOut
                        o.update(from: z.baseAddress! + b * perOut, count: perOut)
                        let r = (element - b * perIn) / k, i = element % k
                        let delta = values[c] - input.scalars[element]
                        for j in 0..<n { o[r * n + j] += delta * w[i * n + j] }
                    }
                }
            }
        }
        var out = Tensor(unchecked: [elements.count] + outputShape, scalars: stacked)
        if !beforeActivation && !outputActivation.isLinear {
            let tape = Tape<S>(recording: false)
            out = tape.value(outputActivation(tape.constant(out), on: tape))
        }
        return out
    }
}
