import GradCheckAutograd
import GradCheckTensor

/// A gated recurrent unit layer (Keras 3 `GRU`, `reset_after=True`), from `h_0 = 0`.
///
/// With the input projection `x_t · kernel + b_in` and the recurrent projection
/// `h_{t−1} · recurrent_kernel + b_rec`, each split into three blocks of `units` columns in
/// Keras gate order z, r, h:
///
///     z = σ(x_z + r_z)     r = σ(x_r + r_r)           σ = recurrentActivation (sigmoid)
///     h̃ = act(x_h + r ⊙ r_h)                          act = activation (tanh)
///     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
///
/// The reset gate multiplies the recurrent projection *after* the matrix product and
/// its bias (`reset_after`), which is why there are two biases.
///
/// Parameters (Keras layout): `kernel` `[features, 3·units]`, `recurrent_kernel`
/// `[units, 3·units]`, and with `useBias`, `bias` `[2, 3·units]`: row 0 the input bias
/// `b_in`, row 1 the recurrent bias `b_rec`.
public struct GRULayer: Layer {
    public let name: String
    public var typeName: String { "gru" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    /// The size of the state.
    public let units: Int
    /// The activation of the candidate state (default `tanh`).
    public let activation: Activation
    /// The activation of the gates (default `sigmoid`).
    public let recurrentActivation: Activation
    /// Whether the layer adds the two biases.
    public let useBias: Bool
    /// Whether the output is every state (`[timesteps, units]`) or the last (`[units]`).
    public let returnSequences: Bool

    /// The number of time steps of the input.
    public var timesteps: Int { inputShape[0] }
    /// The number of features per time step.
    public var features: Int { inputShape[1] }

    /// Builds the layer.
    ///
    /// Defaults follow Keras 3.
    ///
    /// - Throws: ``ModelError`` when `inputShape` is not `[timesteps, features]` with both
    ///   positive, or `units` is not positive.
    public init(name: String, inputShape: [Int], units: Int, activation: Activation = .elementwise(.tanh),
                recurrentActivation: Activation = .elementwise(.sigmoid),
                useBias: Bool = true, returnSequences: Bool = false,
                kernelInitializer: InitializerSpec = .glorotUniform,
                recurrentInitializer: InitializerSpec = .orthogonal(),
                biasInitializer: InitializerSpec = .zeros,
                kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil,
                biasRegularizer: Regularizer? = nil, activityRegularizer: Regularizer? = nil) throws(ModelError) {
        try RecurrentSupport.checkInput(name: name, inputShape: inputShape, units: units)
        self.name = name
        self.inputShape = inputShape
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.returnSequences = returnSequences
        self.outputShape = returnSequences ? [inputShape[0], units] : [units]
        self.activityRegularizer = activityRegularizer
        self.parameters = RecurrentSupport.parameters(
            name: name, features: inputShape[1], units: units, gates: 3, useBias: useBias, biasShape: [2, 3 * units],
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer)
    }

    /// Builds the layer from a decoded `gru` spec.
    ///
    /// - Throws: ``ModelError`` when `inputShape` is not `[timesteps, features]`.
    public init(name: String, spec: RecurrentSpec, inputShape: [Int]) throws(ModelError) {
        try self.init(name: name, inputShape: inputShape, units: spec.units, activation: Activation(spec.activation),
                      recurrentActivation: Activation(spec.recurrentActivation),
                      useBias: spec.useBias, returnSequences: spec.returnSequences,
                      kernelInitializer: spec.kernelInitializer, recurrentInitializer: spec.recurrentInitializer,
                      biasInitializer: spec.biasInitializer,
                      kernelRegularizer: spec.kernelRegularizer.map(Regularizer.init),
                      recurrentRegularizer: spec.recurrentRegularizer.map(Regularizer.init),
                      biasRegularizer: spec.biasRegularizer.map(Regularizer.init),
                      activityRegularizer: spec.activityRegularizer.map(Regularizer.init))
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let u = units
        var projected = tape.matmul(x, parameters[0])                 // [B, T, 3u]
        var recurrentBias: Variable<S>?
        if useBias {
            let flat = tape.reshape(parameters[2], to: [6 * u])
            projected = tape.addBias(projected, tape.columns(flat, 0..<(3 * u)))
            recurrentBias = tape.columns(flat, (3 * u)..<(6 * u))
        }
        let batch = tape.value(x).shape.first ?? 0
        var h = tape.constant(Tensor<S>.zeros([batch, u]))
        var states: [Variable<S>] = []
        for t in 0..<timesteps {
            let xt = tape.timeStep(projected, t)
            var rec = tape.matmul(h, parameters[1])
            if let recurrentBias { rec = tape.addBias(rec, recurrentBias) }
            let z = recurrentActivation(tape.add(tape.columns(xt, 0..<u), tape.columns(rec, 0..<u)), on: tape)
            let r = recurrentActivation(tape.add(tape.columns(xt, u..<(2 * u)), tape.columns(rec, u..<(2 * u))), on: tape)
            let candidate = activation(
                tape.add(tape.columns(xt, (2 * u)..<(3 * u)), tape.multiply(r, tape.columns(rec, (2 * u)..<(3 * u)))),
                on: tape)
            // z ⊙ h + (1 − z) ⊙ h̃ = h̃ + z ⊙ (h − h̃)
            h = tape.add(candidate, tape.multiply(z, tape.subtract(h, candidate)))
            if returnSequences { states.append(h) }
        }
        return returnSequences ? tape.stackTimeSteps(states) : h
    }
}
