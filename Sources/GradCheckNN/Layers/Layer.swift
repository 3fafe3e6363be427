import GradCheckAutograd
import GradCheckTensor

/// One layer of a model: a differentiable map from a batch of inputs, and the layer's
/// parameters, to a batch of outputs.
///
/// A layer holds its configuration and the per-sample shapes it was built for, never
/// its parameter values: those live in a ``ParameterSet`` and enter ``forward(_:_:on:context:)``
/// as tape variables, in the order of ``parameters``. The same layer value therefore
/// serves `Float` training and `Double` checking.
///
/// Conform to add a custom layer; the verifier checks its VJPs like the built-in ones.
public protocol Layer: Sendable {
    /// The layer's unique name in its model (`dense_1`).
    var name: String { get }
    /// The model-format type name (`dense`).
    var typeName: String { get }
    /// The shape of one input sample.
    var inputShape: [Int] { get }
    /// The shape of one output sample.
    var outputShape: [Int] { get }
    /// The layer's parameters, in the order ``forward(_:_:on:context:)`` takes them.
    var parameters: [ParameterDescriptor] { get }
    /// A penalty on the layer's output, added to the loss divided by the batch size.
    var activityRegularizer: Regularizer? { get }
    /// Whether each output sample depends only on the same input sample. The verifier
    /// perturbs one sample at a time when every layer says yes.
    var isSampleIndependent: Bool { get }
    /// The activation applied last inside the layer, which a fused loss may take over.
    var outputActivation: Activation { get }
    /// Whether the layer's input is integer indices (token ids of an `embedding`), not a
    /// differentiable value: such a layer is only ever first, and the verifier and the
    /// gradient files leave the `inputs` gradient out.
    var takesIndices: Bool { get }

    /// Records the layer's forward pass on `tape`.
    ///
    /// - Parameters:
    ///   - x: the input batch, `[batch] + inputShape`.
    ///   - parameters: one variable per entry of ``parameters``, in order.
    ///   - context: training mode, seed and row mapping for stochastic layers.
    /// - Returns: the output batch, `[batch] + outputShape`.
    func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S>

    /// The forward pass without ``outputActivation`` (the logits of a softmax layer).
    func forwardBeforeActivation<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S>

    /// The layer's outputs for a list of single-element changes of one parameter, stacked
    /// along the batch axis: entry `k` is the output on `input` with element `elements[k]`
    /// of parameter `parameter` set to `values[k]`.
    ///
    /// The verifier calls this for every perturbed parameter element. The default runs
    /// ``forward(_:_:on:context:)`` once per change; a layer whose parameters each touch a
    /// small part of its output (a dense kernel element touches one output column)
    /// overrides it to recompute only that part. A test pins every override to the default.
    func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S>

    /// For a sample-independent layer: the outputs of the sample each input change
    /// belongs to, stacked along the batch axis (`[changes] + outputShape`). Entry `k` is
    /// the output, for sample `elements[k] / (elements per sample)`, of `input` with flat
    /// element `elements[k]` set to `values[k]`.
    ///
    /// The default stacks the changed samples and runs ``forward(_:_:on:context:)`` once
    /// (stochastic layers see each sample's own mask through `context.rowSource`).
    func perturbedInputOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], elements: [Int], values: [S],
        beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S>

    // MARK: Layers with several inputs (graph models)

    /// The shape of one sample of each input, in the order ``forward(inputs:_:on:context:)``
    /// takes them. The default is `[inputShape]`: a single-input layer.
    ///
    /// A layer with several inputs (a merge, cross-attention) reports them all here, and
    /// its ``inputShape`` is the first one's.
    var inputShapes: [[Int]] { get }

    /// Records the forward pass of a layer with one or more inputs.
    ///
    /// The default calls ``forward(_:_:on:context:)`` with the only input, so a
    /// single-input layer needs nothing more; a multi-input layer implements this one
    /// (and its single-input ``forward(_:_:on:context:)`` as a call of this with one input).
    ///
    /// - Parameter inputs: one batch per entry of ``inputShapes``, in order.
    func forward<S: TensorScalar>(
        inputs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S>

    /// ``forward(inputs:_:on:context:)`` without ``outputActivation``. The default calls
    /// ``forwardBeforeActivation(_:_:on:context:)`` with the only input.
    func forwardBeforeActivation<S: TensorScalar>(
        inputs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S>

    /// ``perturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``
    /// for a layer with several inputs. The default calls the single-input form when there
    /// is one input, and otherwise runs ``forward(inputs:_:on:context:)`` once per change.
    func perturbedOutputs<S: TensorScalar>(
        inputs: [Tensor<S>], parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S>
}

extension Layer {
    public var inputShapes: [[Int]] { [inputShape] }

    public func forward<S: TensorScalar>(
        inputs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        forward(inputs[0], parameters, on: tape, context: context)
    }

    public func forwardBeforeActivation<S: TensorScalar>(
        inputs: [Variable<S>], _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        forwardBeforeActivation(inputs[0], parameters, on: tape, context: context)
    }

    public func perturbedOutputs<S: TensorScalar>(
        inputs: [Tensor<S>], parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        if inputs.count == 1 {
            return perturbedOutputs(input: inputs[0], parameters: parameters, parameter: parameter,
                                    elements: elements, values: values,
                                    beforeActivation: beforeActivation, context: context)
        }
        return defaultPerturbedOutputs(inputs: inputs, parameters: parameters, parameter: parameter,
                                       elements: elements, values: values,
                                       beforeActivation: beforeActivation, context: context)
    }

    public var activityRegularizer: Regularizer? { nil }
    public var isSampleIndependent: Bool { true }
    public var outputActivation: Activation { .linear }
    public var takesIndices: Bool { false }
    public var parameters: [ParameterDescriptor] { [] }

    public func forwardBeforeActivation<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        forward(x, parameters, on: tape, context: context)
    }

    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        defaultPerturbedOutputs(input: input, parameters: parameters, parameter: parameter,
                                elements: elements, values: values,
                                beforeActivation: beforeActivation, context: context)
    }

    public func perturbedInputOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], elements: [Int], values: [S],
        beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        defaultPerturbedInputOutputs(input: input, parameters: parameters, elements: elements, values: values,
                                     beforeActivation: beforeActivation, context: context)
    }

    /// The reference implementation of ``perturbedInputOutputs(input:parameters:elements:values:beforeActivation:context:)``:
    /// the changed samples stacked and run forward once.
    public func defaultPerturbedInputOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], elements: [Int], values: [S],
        beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let batch = input.shape[0]
        let per = batch == 0 ? 0 : input.count / batch
        var scalars = [S]()
        scalars.reserveCapacity(elements.count * per)
        var rowSource: [Int] = []
        rowSource.reserveCapacity(elements.count)
        for (element, value) in zip(elements, values) {
            let b = element / per
            let start = scalars.count
            scalars.append(contentsOf: input.scalars[(b * per)..<((b + 1) * per)])
            scalars[start + element - b * per] = value
            rowSource.append(b)
        }
        let tape = Tape<S>(recording: false)
        let x = tape.constant(Tensor(unchecked: [elements.count] + Array(input.shape.dropFirst()), scalars: scalars))
        let p = parameters.map { tape.constant($0) }
        let stacked = context.stacked(rowSource: rowSource, originalBatchSize: batch)
        let y = beforeActivation ? forwardBeforeActivation(x, p, on: tape, context: stacked)
                                 : forward(x, p, on: tape, context: stacked)
        return tape.value(y)
    }

    /// The reference implementation of ``perturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``:
    /// one full forward pass per change.
    public func defaultPerturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        defaultPerturbedOutputs(inputs: [input], parameters: parameters, parameter: parameter, elements: elements,
                                values: values, beforeActivation: beforeActivation, context: context)
    }

    /// The reference implementation of ``perturbedOutputs(inputs:parameters:parameter:elements:values:beforeActivation:context:)``:
    /// one full forward pass per change.
    public func defaultPerturbedOutputs<S: TensorScalar>(
        inputs: [Tensor<S>], parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        var stacked = [S]()
        var rowShape: [Int] = []
        var params = parameters
        for (element, value) in zip(elements, values) {
            let saved = params[parameter].scalars[element]
            params[parameter].scalars[element] = value
            let tape = Tape<S>(recording: false)
            let xs = inputs.map { tape.constant($0) }
            let p = params.map { tape.constant($0) }
            let y = beforeActivation
                ? forwardBeforeActivation(inputs: xs, p, on: tape, context: context)
                : forward(inputs: xs, p, on: tape, context: context)
            let out = tape.value(y)
            rowShape = out.shape
            stacked.append(contentsOf: out.scalars)
            params[parameter].scalars[element] = saved
        }
        if rowShape.isEmpty { rowShape = [0] + outputShape }
        rowShape[0] *= elements.count
        return Tensor(unchecked: elements.isEmpty ? [0] + outputShape : rowShape, scalars: stacked)
    }
}
