import GradCheckAutograd
import GradCheckTensor

/// A long short-term memory layer (Keras `LSTM`), from a zero state `h_0 = c_0 = 0`.
///
/// With `z = x_t · kernel + h_{t−1} · recurrent_kernel + bias` split into four blocks of
/// `units` columns in Keras gate order i, f, c, o:
///
///     i = σ(z_i)   f = σ(z_f)   o = σ(z_o)        σ = recurrentActivation (sigmoid)
///     c_t = f ⊙ c_{t−1} + i ⊙ act(z_c)            act = activation (tanh)
///     h_t = o ⊙ act(c_t)
///
/// Input `[timesteps, features]` per sample. Output: the last `h` `[units]`, or every `h`
/// `[timesteps, units]` with `returnSequences`.
///
/// Parameters (Keras layout): `kernel` `[features, 4·units]`, `recurrent_kernel`
/// `[units, 4·units]`, and with `useBias`, `bias` `[4·units]`.
public struct LSTMLayer: Layer {
    public let name: String
    public var typeName: String { "lstm" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public private(set) var parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    /// The size of the state.
    public let units: Int
    /// The activation of the cell input and of the output state (default `tanh`).
    public let activation: Activation
    /// The activation of the gates (default `sigmoid`).
    public let recurrentActivation: Activation
    /// Whether the layer adds a bias.
    public let useBias: Bool
    /// Whether the output is every state (`[timesteps, units]`) or the last (`[units]`).
    public let returnSequences: Bool

    /// The number of time steps of the input.
    public var timesteps: Int { inputShape[0] }
    /// The number of features per time step.
    public var features: Int { inputShape[1] }

    /// Builds the layer.
    ///
    /// Defaults follow Keras 3, including `unitForgetBias`: the forget-gate block of the
    /// bias (`units..<2·units`, gate order i, f, c, o) starts at 1 whatever
    /// `biasInitializer` draws.
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
                biasRegularizer: Regularizer? = nil, activityRegularizer: Regularizer? = nil,
                unitForgetBias: Bool = true) throws(ModelError) {
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
            name: name, features: inputShape[1], units: units, gates: 4, useBias: useBias, biasShape: [4 * units],
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer)
        if unitForgetBias && useBias { parameters[2].initialOnes = units..<(2 * units) }
    }

    /// Builds the layer from a decoded `lstm` spec.
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
                      activityRegularizer: spec.activityRegularizer.map(Regularizer.init),
                      unitForgetBias: spec.unitForgetBias)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let u = units
        var projected = tape.matmul(x, parameters[0])                 // [B, T, 4u]
        if useBias { projected = tape.addBias(projected, parameters[2]) }
        var h: Variable<S>?, c: Variable<S>?
        var states: [Variable<S>] = []
        for t in 0..<timesteps {
            var z = tape.timeStep(projected, t)
            if let previous = h { z = tape.add(z, tape.matmul(previous, parameters[1])) }
            let i = recurrentActivation(tape.columns(z, 0..<u), on: tape)
            let candidate = activation(tape.columns(z, (2 * u)..<(3 * u)), on: tape)
            let o = recurrentActivation(tape.columns(z, (3 * u)..<(4 * u)), on: tape)
            var cell = tape.multiply(i, candidate)
            if let previousCell = c {
                let f = recurrentActivation(tape.columns(z, u..<(2 * u)), on: tape)
                cell = tape.add(tape.multiply(f, previousCell), cell)
            }
            c = cell
            let state = tape.multiply(o, activation(cell, on: tape))
            h = state
            if returnSequences { states.append(state) }
        }
        return returnSequences ? tape.stackTimeSteps(states) : h!
    }
}
