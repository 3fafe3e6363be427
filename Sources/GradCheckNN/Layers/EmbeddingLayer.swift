import GradCheckAutograd
import GradCheckTensor

/// Token ids to vectors: each id (an integer-valued number in `0..<inputDim`) of a sample
/// of any shape is replaced by its row of `embeddings` `[inputDim, outputDim]`, giving
/// `inputShape + [outputDim]`.
///
/// The ids are indices, not a differentiable value (``takesIndices``): the layer is only
/// ever a model's first, the model checks every id of a batch before a pass
/// (``Model/checkInputs(_:file:)``), and the verifier and gradient files leave the
/// `inputs` gradient out.
public struct EmbeddingLayer: Layer {
    public let name: String
    public var typeName: String { "embedding" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape + [outputDim] }
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    public var takesIndices: Bool { true }
    /// The vocabulary size.
    public let inputDim: Int
    /// The length of each vector.
    public let outputDim: Int

    /// Builds the layer for samples of `inputShape` token ids.
    public init(name: String, spec: EmbeddingSpec, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
        self.inputDim = spec.inputDim
        self.outputDim = spec.outputDim
        self.parameters = [ParameterDescriptor(
            name: "\(name)/embeddings", layer: name, shape: [spec.inputDim, spec.outputDim],
            initializer: spec.embeddingsInitializer, regularizer: spec.embeddingsRegularizer.map(Regularizer.init))]
        self.activityRegularizer = spec.activityRegularizer.map(Regularizer.init)
    }

    /// The position and a description of the first value of `ids` that is not an integer
    /// in `0..<inputDim`, or `nil` when every id is valid.
    public func firstInvalidID<S: TensorScalar>(in ids: Tensor<S>) -> (index: Int, message: String)? {
        for (i, v) in ids.scalars.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= 0, v < S(inputDim) else {
                return (i, "\(name): expected a token id, an integer in 0..<\(inputDim), got \(v)")
            }
        }
        return nil
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        tape.embeddingLookup(x, parameters[0])
    }
}
