import GradCheckAutograd
import GradCheckTensor

/// A residual block: `output = input + f(input)`, where `f` runs the inner layers in order.
///
/// The inner layers' output shape must equal the block's input shape. The block's
/// ``parameters`` are the inner layers' parameters, concatenated in order and named by
/// the inner layers' own names (`dense_2/kernel`), so weights and gradient files list
/// them as if the inner layers were at the top level.
///
/// Inner layers may not have an activity regulariser: the model applies those of its
/// top-level layers only, so one inside a block is rejected rather than ignored.
public struct ResidualLayer: Layer {
    public let name: String
    public var typeName: String { "residual" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    /// The inner layers, in order.
    public let layers: [any Layer]
    public let parameters: [ParameterDescriptor]
    /// For each inner layer, the positions of its parameters in ``parameters``.
    public let parameterRanges: [Range<Int>]
    /// Sample-independent when every inner layer is.
    public var isSampleIndependent: Bool { layers.allSatisfy(\.isSampleIndependent) }

    /// Builds the block around `layers`.
    ///
    /// - Throws: ``ModelError`` (at path `name`) when there are no inner layers, an inner
    ///   layer's input shape is not the previous one's output shape (the first one's must be
    ///   `inputShape`), two inner layers share a name, an inner layer has an activity
    ///   regulariser, or the last output shape differs from `inputShape` (the sum needs
    ///   equal shapes).
    public init(name: String, inputShape: [Int], layers: [any Layer]) throws(ModelError) {
        guard !layers.isEmpty else {
            throw ModelError(path: name, "\(name): a residual block needs at least one inner layer")
        }
        var shape = inputShape
        var names = Set<String>()
        for layer in layers {
            guard layer.inputShape == shape else {
                throw ModelError(path: name, "\(layer.name): built for input shape \(layer.inputShape), but receives \(shape) inside residual block \(name)")
            }
            guard layer.activityRegularizer == nil else {
                throw ModelError(path: name,
                    "\(layer.name): an activity_regularizer inside residual block \(name) is not supported (put it on a layer outside the block)")
            }
            guard names.insert(layer.name).inserted else {
                throw ModelError(path: name, "\(name): two inner layers are named \"\(layer.name)\"")
            }
            shape = layer.outputShape
        }
        guard shape == inputShape else {
            throw ModelError(path: name,
                "\(name): the inner layers' output shape \(shape) must equal the block's input shape \(inputShape) to be added to it")
        }
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        var params: [ParameterDescriptor] = []
        var ranges: [Range<Int>] = []
        for layer in layers {
            let start = params.count
            params.append(contentsOf: layer.parameters)
            ranges.append(start..<params.count)
        }
        self.parameters = params
        self.parameterRanges = ranges
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer.forward(h, Array(parameters[parameterRanges[i]]), on: tape, context: context)
        }
        return tape.add(x, h)
    }

    /// Delegates to the inner layer that owns the parameter: the layers before it run once
    /// on the unperturbed input, that layer recomputes what each change touches
    /// (its own ``Layer/perturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``),
    /// the layers after it run once on all changes stacked, and the input is added to each.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        guard let owner = parameterRanges.firstIndex(where: { $0.contains(parameter) }) else {
            return defaultPerturbedOutputs(input: input, parameters: parameters, parameter: parameter,
                                           elements: elements, values: values,
                                           beforeActivation: beforeActivation, context: context)
        }
        let batch = input.shape.first ?? 0
        let tape = Tape<S>(recording: false)
        var h = tape.constant(input)
        for i in 0..<owner {
            h = layers[i].forward(h, parameters[parameterRanges[i]].map { tape.constant($0) }, on: tape, context: context)
        }
        let range = parameterRanges[owner]
        let changed = layers[owner].perturbedOutputs(
            input: tape.value(h), parameters: Array(parameters[range]), parameter: parameter - range.lowerBound,
            elements: elements, values: values, beforeActivation: false, context: context)
        let stackedContext = context.stacked(rowSource: (0..<elements.count).flatMap { _ in 0..<batch },
                                             originalBatchSize: batch)
        var y = tape.constant(changed)
        for i in (owner + 1)..<layers.count {
            y = layers[i].forward(y, parameters[parameterRanges[i]].map { tape.constant($0) }, on: tape,
                                  context: stackedContext)
        }
        var out = tape.value(y)
        out.add(input.repeated(elements.count))
        return out
    }
}
