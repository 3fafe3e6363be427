import GradCheckAutograd
import GradCheckHealth
import GradCheckNN
import GradCheckTensor

extension Trainer {
    /// Where NaN or infinity first appears in a step, as PyTorch's anomaly mode reports it:
    /// in the batch, in the first layer whose forward output is non-finite (and whether the
    /// layer's own computation or its activation made it), in the loss, or in the first
    /// layer, walking backward from the loss, whose VJP turns a finite upstream gradient
    /// into a non-finite one.
    ///
    /// Runs the step's forward and backward pass again, layer by layer: it costs one more
    /// step and is only called on a non-finite step.
    func locateNonFinite(inputs: Tensor<Scalar>, targets: Targets<Scalar>,
                         context: ForwardContext) -> [NonfiniteOrigin] {
        /// The first non-finite value of a tensor.
        func first(_ t: Tensor<Scalar>) -> Double? { t.scalars.first { !$0.isFinite }.map { Double($0) } }
        if let v = first(inputs) {
            return [NonfiniteOrigin(pass: .inputs, value: v)]
        }
        let tape = Tape<Scalar>()
        var variables: [Variable<Scalar>] = []
        for (i, v) in values.enumerated() {
            variables.append(model.parameters[i].trainable ? tape.variable(v) : tape.constant(v))
        }
        let model = self.model
        let layers = model.layers
        guard !layers.isEmpty else { return [] }
        var outputs = [Variable<Scalar>?](repeating: nil, count: layers.count)
        var forwardOrigin: NonfiniteOrigin?
        // One pass over the graph in topological order; the first layer whose output is
        // non-finite is the forward origin.
        let perSample = model.perSampleObjective(
            input: tape.constant(inputs), parameters: variables, targets: targets, on: tape, context: context
        ) { i, xs, out in
            outputs[i] = out
            guard forwardOrigin == nil, let v = first(tape.value(out)) else { return }
            let layer = layers[i]
            let fused = i == layers.count - 1 && model.fusesFinalActivation
            let p = Array(variables[model.parameterRanges[i]])
            var op = layer.typeName
            if !fused && !layer.outputActivation.isLinear {
                let t = Tape<Scalar>(recording: false)
                let pre = layer.forwardBeforeActivation(inputs: xs.map { t.constant(tape.value($0)) },
                                                        p.map { t.constant(tape.value($0)) }, on: t, context: context)
                if t.value(pre).isFinite { op = activationName(layer.outputActivation) }
            }
            forwardOrigin = NonfiniteOrigin(pass: .forward, layer: layer.name, op: op, value: v)
        }
        if let forwardOrigin { return [forwardOrigin] }
        let outputVariables = outputs.compactMap { $0 }
        let mean = tape.mean(perSample)
        let regularization = model.regularization(parameters: variables, on: tape)
        let loss = regularization.map { tape.add(mean, $0) } ?? mean
        let lossName = model.loss.spec.kind.typeName
        if !tape.value(loss).isFinite {
            let op = tape.value(mean).isFinite ? "regularization" : "loss (\(lossName))"
            return [NonfiniteOrigin(pass: .loss, op: op, value: Double(tape.value(loss).scalar))]
        }
        let trainable = trainableIndices.map { variables[$0] }
        let grads = tape.gradients(of: loss, withRespectTo: outputVariables + trainable)
        let outputGrads = Array(grads[0..<outputVariables.count])
        var paramGrads: [Int: Tensor<Scalar>] = [:]
        for (k, i) in trainableIndices.enumerated() { paramGrads[i] = grads[outputVariables.count + k] }
        if let v = first(outputGrads[layers.count - 1]) {
            return [NonfiniteOrigin(pass: .backward, layer: layers.last!.name, op: "loss (\(lossName))", value: v)]
        }
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[i]
            for pi in model.parameterRanges[i] {
                if let g = paramGrads[pi], let v = first(g) {
                    return [NonfiniteOrigin(pass: .backward, layer: layer.name, op: layer.typeName,
                                            parameter: model.parameters[pi].name, value: v)]
                }
            }
            // The gradient this layer's VJP sends to the layers it reads.
            for case let .layer(j) in model.layerInputs[i] {
                if let v = first(outputGrads[j]) {
                    return [NonfiniteOrigin(pass: .backward, layer: layer.name, op: layer.typeName, value: v)]
                }
            }
        }
        return []
    }
}

/// The model-format name of an activation (`relu`, `softmax`, `leaky_relu`).
func activationName(_ activation: Activation) -> String {
    switch activation {
    case .softmax: return "softmax"
    case .logSoftmax: return "log_softmax"
    case let .elementwise(f):
        switch f {
        case .identity: return "linear"
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .elu: return "elu"
        case .selu: return "selu"
        case .gelu, .geluTanh: return "gelu"
        case .sigmoid: return "sigmoid"
        case .hardSigmoid: return "hard_sigmoid"
        case .tanh: return "tanh"
        case .softplus: return "softplus"
        case .softsign: return "softsign"
        case .swish: return "swish"
        case .exp: return "exp"
        case .log: return "log"
        case .abs: return "abs"
        case .square: return "square"
        }
    }
}
