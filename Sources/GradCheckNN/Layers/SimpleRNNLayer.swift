import GradCheckAutograd
import GradCheckTensor

/// A fully connected recurrent layer (Keras `SimpleRNN`):
/// `h_t = activation(x_t · kernel + h_{t−1} · recurrent_kernel + bias)`, from `h_0 = 0`.
///
/// Input `[timesteps, features]` per sample. Output: the last state `[units]`, or every
/// state `[timesteps, units]` with `returnSequences`.
///
/// Parameters (Keras layout): `kernel` `[features, units]`, `recurrent_kernel`
/// `[units, units]`, and with `useBias`, `bias` `[units]`.
///
/// The input projections of all time steps are one matrix product; each step then adds
/// its recurrent product.
public struct SimpleRNNLayer: Layer {
    public let name: String
    public var typeName: String { "simple_rnn" }
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let parameters: [ParameterDescriptor]
    public let activityRegularizer: Regularizer?
    /// The size of the state.
    public let units: Int
    /// The activation of the state (default `tanh`).
    public let activation: Activation
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
    /// Defaults follow Keras 3.
    ///
    /// - Throws: ``ModelError`` when `inputShape` is not `[timesteps, features]` with both
    ///   positive, or `units` is not positive.
    public init(name: String, inputShape: [Int], units: Int, activation: Activation = .elementwise(.tanh),
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
        self.useBias = useBias
        self.returnSequences = returnSequences
        self.outputShape = returnSequences ? [inputShape[0], units] : [units]
        self.activityRegularizer = activityRegularizer
        self.parameters = RecurrentSupport.parameters(
            name: name, features: inputShape[1], units: units, gates: 1, useBias: useBias, biasShape: [units],
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer)
    }

    /// Builds the layer from a decoded `simple_rnn` spec.
    ///
    /// - Throws: ``ModelError`` when `inputShape` is not `[timesteps, features]`.
    public init(name: String, spec: RecurrentSpec, inputShape: [Int]) throws(ModelError) {
        try self.init(name: name, inputShape: inputShape, units: spec.units, activation: Activation(spec.activation),
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
        var projected = tape.matmul(x, parameters[0])                 // [B, T, u]
        if useBias { projected = tape.addBias(projected, parameters[2]) }
        var h: Variable<S>?
        var states: [Variable<S>] = []
        for t in 0..<timesteps {
            var z = tape.timeStep(projected, t)
            if let previous = h { z = tape.add(z, tape.matmul(previous, parameters[1])) }
            let state = activation(z, on: tape)
            h = state
            if returnSequences { states.append(state) }
        }
        return returnSequences ? tape.stackTimeSteps(states) : h!
    }
}

/// What the recurrent layers share: input checks and the Keras parameter layout.
enum RecurrentSupport {
    /// Rejects an input that is not `[timesteps, features]`, or non-positive units.
    static func checkInput(name: String, inputShape: [Int], units: Int) throws(ModelError) {
        guard inputShape.count == 2 else {
            throw ModelError(path: name, "\(name): needs an input of rank 2 (timesteps, features), got \(inputShape)")
        }
        guard inputShape[0] >= 1, inputShape[1] >= 1 else {
            throw ModelError(path: name, "\(name): needs at least one time step and one feature, got \(inputShape)")
        }
        guard units >= 1 else {
            throw ModelError(path: name, "\(name): units must be positive, got \(units)")
        }
    }

    /// `kernel` `[features, gates·units]`, `recurrent_kernel` `[units, gates·units]` and,
    /// with `useBias`, `bias` of `biasShape`.
    static func parameters(
        name: String, features: Int, units: Int, gates: Int, useBias: Bool, biasShape: [Int],
        kernelInitializer: InitializerSpec, recurrentInitializer: InitializerSpec, biasInitializer: InitializerSpec,
        kernelRegularizer: Regularizer?, recurrentRegularizer: Regularizer?, biasRegularizer: Regularizer?
    ) -> [ParameterDescriptor] {
        var params = [
            ParameterDescriptor(name: "\(name)/kernel", layer: name, shape: [features, gates * units],
                                initializer: kernelInitializer, regularizer: kernelRegularizer),
            ParameterDescriptor(name: "\(name)/recurrent_kernel", layer: name, shape: [units, gates * units],
                                initializer: recurrentInitializer, regularizer: recurrentRegularizer),
        ]
        if useBias {
            params.append(ParameterDescriptor(name: "\(name)/bias", layer: name, shape: biasShape,
                                              initializer: biasInitializer, regularizer: biasRegularizer))
        }
        return params
    }
}
