import GradCheckNN

/// A layer of a monitored model whose outputs the monitor may measure: its name, the
/// kind of its activation, and the width of its unit axis.
public struct RunLayer: Sendable, Equatable {
    /// The layer's name (`dense_1`).
    public var name: String
    /// What its outputs can do: die (ReLU family), saturate, or neither.
    public var activation: ActivationKind
    /// The size of the unit axis (the last axis of the output), used when activations
    /// come as a flat array; `nil` when unknown, in which case a flat array gets no dead
    /// fraction.
    public var units: Int?

    /// Describes a layer.
    public init(name: String, activation: ActivationKind, units: Int? = nil) {
        self.name = name
        self.activation = activation
        self.units = units
    }

    /// The layers of `model`, in model order, with the kind of each one's output
    /// activation and its output's last axis as the unit axis. A multi-head attention
    /// layer is of kind ``ActivationKind/attention(causal:)``, its unit axis the keys: its
    /// attention probabilities are what the monitor measures.
    public static func layers(of model: Model) -> [RunLayer] {
        model.layers.map { layer in
            if let attention = layer as? MultiHeadAttentionLayer {
                return RunLayer(name: layer.name, activation: .attention(causal: attention.useCausalMask),
                                units: attention.keyShape.first)
            }
            return RunLayer(name: layer.name, activation: ActivationKind(layer.outputActivation),
                            units: layer.outputShape.last)
        }
    }
}
