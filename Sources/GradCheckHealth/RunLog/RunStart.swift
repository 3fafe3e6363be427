/// The first line of a run log: what was trained.
///
/// ```json
/// {"event": "run_start", "format": "gradcheck.log/1", "model": "mlp", "parameters": [{"name": "dense_1/kernel", "layer": "dense_1", "shape": [64, 64]}], "layers": [{"name": "dense_1", "activation": "relu_family", "units": 64}]}
/// ```
///
/// `layers` is this toolkit's addition (what each layer's activation can do); a log from
/// another framework may leave it and `run_start` itself out.
public struct RunStart: Sendable, Equatable {
    /// The format tag every log this toolkit writes carries.
    public static let format = "gradcheck.log/1"

    /// The model's name, if the log gives one.
    public var model: String?
    /// The parameter tensors, in model order.
    public var parameters: [RunParameter]
    /// The layers whose outputs may be measured, in model order.
    public var layers: [RunLayer]

    /// Creates a start record.
    public init(model: String? = nil, parameters: [RunParameter] = [], layers: [RunLayer] = []) {
        self.model = model
        self.parameters = parameters
        self.layers = layers
    }
}
