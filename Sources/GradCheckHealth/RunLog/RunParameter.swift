import GradCheckNN

/// A parameter tensor of a monitored model: its name, the layer it belongs to and its
/// shape, as the `parameters` of a `run_start` line lists them.
public struct RunParameter: Sendable, Equatable {
    /// The full name (`dense_1/kernel`, or `0.weight` from PyTorch).
    public var name: String
    /// The layer it belongs to (`dense_1`).
    public var layer: String
    /// The shape; `nil` when a log from another framework does not say.
    public var shape: [Int]?

    /// Describes a parameter.
    public init(name: String, layer: String, shape: [Int]? = nil) {
        self.name = name
        self.layer = layer
        self.shape = shape
    }

    /// Describes a parameter whose layer is read from its name: the part before the last
    /// `/` (Keras: `dense_1/kernel`), else before the last `.` (PyTorch: `fc1.weight`),
    /// else the name itself.
    public init(name: String, shape: [Int]? = nil) {
        self.init(name: name, layer: RunParameter.layer(ofName: name), shape: shape)
    }

    /// The layer a parameter name implies: before the last `/`, else before the last `.`,
    /// else the whole name.
    public static func layer(ofName name: String) -> String {
        if let slash = name.lastIndex(of: "/"), slash != name.startIndex { return String(name[..<slash]) }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[..<dot]) }
        return name
    }

    /// The trainable parameters of `model`, in model order.
    public static func parameters(of model: Model) -> [RunParameter] {
        model.trainableParameters.map { RunParameter(name: $0.name, layer: $0.layer, shape: $0.shape) }
    }

    /// The number of elements, when the shape is known.
    public var count: Int? { shape.map { $0.reduce(1, *) } }
}
