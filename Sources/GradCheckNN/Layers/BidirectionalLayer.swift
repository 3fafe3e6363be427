import GradCheckAutograd
import GradCheckTensor

/// A recurrent layer run in both directions (Keras `Bidirectional`): a forward copy reads
/// the sequence as it is, a backward copy (its own parameters) reads it reversed; with
/// `return_sequences` the backward outputs are reversed back, so step `t` of both
/// describes input step `t`. The two are merged by ``mergeMode``.
///
/// Parameters: the forward copy's, named `<layer>/forward/kernel`, `.../forward/recurrent_kernel`,
/// `.../forward/bias`, then the backward copy's under `<layer>/backward/`.
public struct BidirectionalLayer: Layer {
    public let name: String
    public var typeName: String { "bidirectional" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let parameters: [ParameterDescriptor]
    /// The copy that reads the sequence forwards.
    public let forwardLayer: any Layer
    /// The copy that reads the sequence reversed.
    public let backwardLayer: any Layer
    /// How the two outputs are combined.
    public let mergeMode: MergeMode
    /// Whether the output has a time axis (the wrapped layer's `return_sequences`).
    public let returnSequences: Bool

    /// Builds both copies of the recurrent layer `spec.layer`, named `<name>/forward` and
    /// `<name>/backward` (so their parameters are `<name>/forward/kernel`, ...).
    ///
    /// - Throws: ``ModelError`` when the input is not `[timesteps, features]`.
    public init(name: String, spec: BidirectionalSpec, inputShape: [Int]) throws(ModelError) {
        func build(_ direction: String) throws(ModelError) -> any Layer {
            let inner = "\(name)/\(direction)"
            switch spec.layerType {
            case .simpleRNN: return try SimpleRNNLayer(name: inner, spec: spec.layer, inputShape: inputShape)
            case .lstm: return try LSTMLayer(name: inner, spec: spec.layer, inputShape: inputShape)
            case .gru: return try GRULayer(name: inner, spec: spec.layer, inputShape: inputShape)
            }
        }
        try self.init(name: name, forward: try build("forward"), backward: try build("backward"),
                      mergeMode: spec.mergeMode, returnSequences: spec.layer.returnSequences)
    }

    /// Wraps two built copies (of equal input and output shapes).
    ///
    /// - Throws: ``ModelError`` when their shapes differ.
    public init(name: String, forward: any Layer, backward: any Layer, mergeMode: MergeMode,
                returnSequences: Bool) throws(ModelError) {
        guard forward.inputShape == backward.inputShape, forward.outputShape == backward.outputShape else {
            throw ModelError(path: name, "\(name): the forward and backward layers have different shapes")
        }
        self.name = name
        self.inputShape = forward.inputShape
        self.forwardLayer = forward
        self.backwardLayer = backward
        self.mergeMode = mergeMode
        self.returnSequences = returnSequences
        var out = forward.outputShape
        if mergeMode == .concat { out[out.count - 1] *= 2 }
        self.outputShape = out
        self.parameters = (forward.parameters + backward.parameters).map { p in
            var q = p
            q.layer = name
            return q
        }
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let split = forwardLayer.parameters.count
        let f = forwardLayer.forward(x, Array(parameters[..<split]), on: tape, context: context)
        var b = backwardLayer.forward(tape.reverseTimeSteps(x), Array(parameters[split...]), on: tape, context: context)
        if returnSequences { b = tape.reverseTimeSteps(b) }
        switch mergeMode {
        case .concat: return tape.concatenateColumns([f, b])
        case .sum: return tape.add(f, b)
        case .mul: return tape.multiply(f, b)
        case .ave: return tape.scale(tape.add(f, b), by: 0.5)
        }
    }
}
