import GradCheckAutograd
import GradCheckTensor

extension Model {
    /// The per-sample objective from layer `start` on: each sample's loss plus the activity
    /// penalties of layers `start...`, a `[batch]` variable.
    ///
    /// - Parameters:
    ///   - input: the input of layer `start`.
    ///   - parameters: every parameter of the model, in model order.
    public func perSampleObjective<S: TensorScalar>(
        from start: Int, input: Variable<S>, parameters: [Variable<S>], targets: Targets<S>,
        on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        var h = input
        var penalties: [Variable<S>] = []
        for i in start..<layers.count {
            let layer = layers[i]
            let p = Array(parameters[parameterRanges[i]])
            let fused = i == layers.count - 1 && fusesFinalActivation
            h = fused ? layer.forwardBeforeActivation(h, p, on: tape, context: context)
                      : layer.forward(h, p, on: tape, context: context)
            if let penalty = activityPenalty(layer: i, output: h, on: tape) {
                penalties.append(penalty)
            }
        }
        return finishObjective(h, targets: targets, penalties: penalties, on: tape)
    }

    /// The per-sample objective when layer `layer`'s output is given (logits, for the
    /// last layer of a fused loss): that layer's activity penalty, the layers after it,
    /// and the loss.
    public func perSampleObjective<S: TensorScalar>(
        afterLayer layer: Int, output: Variable<S>, parameters: [Variable<S>], targets: Targets<S>,
        on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        var penalties: [Variable<S>] = []
        if let penalty = activityPenalty(layer: layer, output: output, on: tape) {
            penalties.append(penalty)
        }
        if layer == layers.count - 1 {
            return finishObjective(output, targets: targets, penalties: penalties, on: tape)
        }
        let rest = perSampleObjective(from: layer + 1, input: output, parameters: parameters, targets: targets,
                                      on: tape, context: context)
        return penalties.reduce(rest) { tape.add($0, $1) }
    }

    /// The activity penalty of layer `i` on its output (activating the logits of a fused
    /// last layer first).
    func activityPenalty<S: TensorScalar>(layer i: Int, output: Variable<S>, on tape: Tape<S>) -> Variable<S>? {
        guard let regularizer = layers[i].activityRegularizer else { return nil }
        var y = output
        if i == layers.count - 1 && fusesFinalActivation { y = layers[i].outputActivation(y, on: tape) }
        return regularizer.activityPenalty(y, on: tape)
    }

    func finishObjective<S: TensorScalar>(
        _ output: Variable<S>, targets: Targets<S>, penalties: [Variable<S>], on tape: Tape<S>
    ) -> Variable<S> {
        let data = loss.perSample(output, targets, fused: fusesFinalActivation, on: tape)
        return penalties.reduce(data) { tape.add($0, $1) }
    }

    /// The parameter penalties (kernel and bias regularisers), a rank-0 variable, or `nil`
    /// when the model has none.
    public func regularization<S: TensorScalar>(parameters: [Variable<S>], on tape: Tape<S>) -> Variable<S>? {
        var total: Variable<S>?
        for (descriptor, p) in zip(self.parameters, parameters) {
            guard let r = descriptor.regularizer else { continue }
            let term = r.penalty(p, on: tape)
            total = total.map { tape.add($0, term) } ?? term
        }
        return total
    }

    /// The training loss: the mean per-sample objective plus the parameter penalties.
    public func loss<S: TensorScalar>(
        input: Variable<S>, parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let perSample = perSampleObjective(from: 0, input: input, parameters: parameters, targets: targets,
                                           on: tape, context: context)
        let mean = tape.mean(perSample)
        return regularization(parameters: parameters, on: tape).map { tape.add(mean, $0) } ?? mean
    }

    /// The loss and its gradient with respect to every trainable parameter and the inputs.
    ///
    /// - Parameters:
    ///   - parameters: the model's parameters, in model order (see ``orderedTensors(_:file:)``).
    ///   - context: training mode and seed (dropout masks).
    /// - Complexity: one forward and one backward pass.
    public func lossAndGradients<S: TensorScalar>(
        parameters: [Tensor<S>], inputs: Tensor<S>, targets: Targets<S>, context: ForwardContext
    ) -> LossAndGradients<S> {
        let tape = Tape<S>()
        let x = tape.variable(inputs)
        let p = zip(self.parameters, parameters).map { d, t in d.trainable ? tape.variable(t) : tape.constant(t) }
        let l = loss(input: x, parameters: p, targets: targets, on: tape, context: context)
        let grads = tape.gradients(of: l, withRespectTo: [x] + p)
        var set = ParameterSet<S>()
        for (i, d) in self.parameters.enumerated() where d.trainable { set[d.name] = grads[i + 1] }
        return LossAndGradients(loss: tape.value(l).scalar, parameters: set, inputs: grads[0])
    }

    /// Every layer's input and output on a batch, from a forward pass without a tape record:
    /// `activations[i]` is layer `i`'s input and `activations[i + 1]` its output.
    public func activations<S: TensorScalar>(
        parameters: [Tensor<S>], inputs: Tensor<S>, context: ForwardContext
    ) -> [Tensor<S>] {
        let tape = Tape<S>(recording: false)
        var h = tape.constant(inputs)
        var out = [inputs]
        for (i, layer) in layers.enumerated() {
            let p = parameters[parameterRanges[i]].map { tape.constant($0) }
            h = layer.forward(h, p, on: tape, context: context)
            out.append(tape.value(h))
        }
        return out
    }
}

/// A loss value with its gradients.
public struct LossAndGradients<Scalar: TensorScalar>: Sendable {
    /// The loss, regularisation included.
    public var loss: Scalar
    /// The gradient of the loss for each trainable parameter.
    public var parameters: ParameterSet<Scalar>
    /// The gradient of the loss with respect to the inputs.
    public var inputs: Tensor<Scalar>
}
