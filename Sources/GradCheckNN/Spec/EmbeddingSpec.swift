/// The configuration of an `embedding` layer, with Keras 3 names and defaults.
///
/// The input is integer token ids (integer-valued numbers in `0..<input_dim`); the
/// parameter `embeddings` is `[input_dim, output_dim]`, and each id is replaced by its row.
public struct EmbeddingSpec: Sendable, Equatable, Hashable {
    /// The vocabulary size: ids lie in `0..<inputDim` (> 0).
    public var inputDim: Int
    /// The length of each embedding vector (> 0).
    public var outputDim: Int
    /// How `embeddings` starts (default `random_uniform` in ±0.05, Keras' `"uniform"`).
    public var embeddingsInitializer: InitializerSpec
    /// A penalty on `embeddings`.
    public var embeddingsRegularizer: RegularizerSpec?
    /// A penalty on the layer's output (divided by the batch size).
    public var activityRegularizer: RegularizerSpec?

    /// An embedding configuration with the Keras defaults.
    public init(inputDim: Int, outputDim: Int, embeddingsInitializer: InitializerSpec = .randomUniform(),
                embeddingsRegularizer: RegularizerSpec? = nil, activityRegularizer: RegularizerSpec? = nil) {
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        self.activityRegularizer = activityRegularizer
    }

    static let keys = ["input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "activity_regularizer"]

    static func decode(_ r: ObjectReader) throws(SpecError) -> EmbeddingSpec {
        EmbeddingSpec(
            inputDim: try r.require("input_dim", Read.positiveInt),
            outputDim: try r.require("output_dim", Read.positiveInt),
            embeddingsInitializer: try r.get("embeddings_initializer", default: .randomUniform(), InitializerSpec.decode),
            embeddingsRegularizer: try r.optional("embeddings_regularizer", RegularizerSpec.decode),
            activityRegularizer: try r.optional("activity_regularizer", RegularizerSpec.decode))
    }

    /// Writes `input_dim` and `output_dim` always, the rest where they differ from the defaults.
    func encode(into o: inout JSONObject) {
        o["input_dim"] = .integer(inputDim)
        o["output_dim"] = .integer(outputDim)
        if embeddingsInitializer != .randomUniform() { o["embeddings_initializer"] = embeddingsInitializer.jsonValue }
        if let embeddingsRegularizer { o["embeddings_regularizer"] = embeddingsRegularizer.jsonValue }
        if let activityRegularizer { o["activity_regularizer"] = activityRegularizer.jsonValue }
    }
}
