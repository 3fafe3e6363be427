/// A parameter of a layer: its name, shape, how it starts, and how it is penalised.
public struct ParameterDescriptor: Sendable, Equatable {
    /// The full name, `<layer>/<param>` (`dense_1/kernel`).
    public var name: String
    /// The owning layer's name.
    public var layer: String
    /// The shape, in Keras layout (`[in, units]` for a dense kernel).
    public var shape: [Int]
    /// How the initial value is drawn.
    public var initializer: InitializerSpec
    /// The penalty added to the loss, if any.
    public var regularizer: Regularizer?
    /// Whether the optimiser updates it and gradients are reported for it
    /// (batch-normalisation moving statistics are state, not trainable).
    public var trainable: Bool

    /// Describes a parameter.
    public init(name: String, layer: String, shape: [Int], initializer: InitializerSpec,
                regularizer: Regularizer? = nil, trainable: Bool = true) {
        self.name = name
        self.layer = layer
        self.shape = shape
        self.initializer = initializer
        self.regularizer = regularizer
        self.trainable = trainable
    }

    /// Flat elements set to 1 after the initialiser draws (Keras' `unit_forget_bias`: an
    /// LSTM's forget-gate bias block), or `nil`.
    public var initialOnes: Range<Int>?

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }
}
