import GradCheckAutograd
import GradCheckTensor

/// The forward pass over the graph.
///
/// Values live in slots: model input `k` is slot `k`, layer `i`'s output slot
/// `inputs.count + i` (``slot(_:)``). A pass runs layers in topological order, each on its
/// inputs' slots; a restarted pass (the verifier's, after one value changed) runs only the
/// layers that depend on the changed value and reads every other value from a recorded pass.
extension Model {
    /// The slot of a source: model input `k` is `k`, layer `i` is `inputs.count + i`.
    @inlinable
    public func slot(_ source: GraphSource) -> Int {
        switch source {
        case let .input(k): return k
        case let .layer(i): return inputs.count + i
        }
    }

    /// For each layer, whether it depends on `source` (lies downstream of it). The layer
    /// `source` names itself is not its own dependent.
    ///
    /// - Complexity: O(layers × inputs per layer).
    public func dependents(of source: GraphSource) -> [Bool] {
        var dependent = [Bool](repeating: false, count: layers.count)
        for i in layers.indices {
            dependent[i] = layerInputs[i].contains { s in
                if s == source { return true }
                if case let .layer(j) = s { return dependent[j] }
                return false
            }
        }
        return dependent
    }

    /// Runs the layers marked in `recompute`, in order, and returns each sample's objective:
    /// the loss on the last layer's output plus the activity penalties of the recomputed
    /// layers and of `penalized` (a layer whose output was given).
    ///
    /// A layer reads its inputs from `values` (by slot); a slot without a value is filled
    /// from `fallback` first.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func objective<S: TensorScalar>(
        values: inout [Variable<S>?], recompute: [Bool], penalized: Int?, parameters: [Variable<S>],
        targets: Targets<S>, on tape: Tape<S>, context: ForwardContext,
        fallback: (Int) -> Variable<S>, observe: ((Int, [Variable<S>], Variable<S>) -> Void)? = nil
    ) -> Variable<S> {
        var penalties: [Variable<S>] = []
        if let penalized, let v = values[inputs.count + penalized],
           let penalty = activityPenalty(layer: penalized, output: v, on: tape) {
            penalties.append(penalty)
        }
        let last = layers.count - 1
        for i in layers.indices where recompute[i] {
            let xs = layerInputs[i].map { source -> Variable<S> in
                let s = slot(source)
                if let v = values[s] { return v }
                let v = fallback(s)
                values[s] = v
                return v
            }
            let p = Array(parameters[parameterRanges[i]])
            let y = i == last && fusesFinalActivation
                ? layers[i].forwardBeforeActivation(inputs: xs, p, on: tape, context: context)
                : layers[i].forward(inputs: xs, p, on: tape, context: context)
            values[inputs.count + i] = y
            observe?(i, xs, y)
            if let penalty = activityPenalty(layer: i, output: y, on: tape) { penalties.append(penalty) }
        }
        let output = values[inputs.count + last] ?? fallback(inputs.count + last)
        return finishObjective(output, targets: targets, penalties: penalties, on: tape)
    }

    /// Each sample's objective, a `[batch]` variable: its loss plus the activity penalties
    /// of every layer.
    ///
    /// - Parameters:
    ///   - input: the packed batch (``inputShape``).
    ///   - parameters: every parameter of the model, in model order.
    ///   - observe: called after each layer with its index, its inputs and its output as
    ///     recorded (the logits of a last layer whose activation the loss fuses).
    public func perSampleObjective<S: TensorScalar>(
        input: Variable<S>, parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>,
        context: ForwardContext, observe: ((Int, [Variable<S>], Variable<S>) -> Void)? = nil
    ) -> Variable<S> {
        perSampleObjective(inputs: splitInputs(input, on: tape), parameters: parameters, targets: targets, on: tape,
                           context: context, observe: observe)
    }

    /// ``perSampleObjective(input:parameters:targets:on:context:observe:)`` on the model
    /// inputs given one by one (each `[batch] + shape`, in input order).
    public func perSampleObjective<S: TensorScalar>(
        inputs xs: [Variable<S>], parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>,
        context: ForwardContext, observe: ((Int, [Variable<S>], Variable<S>) -> Void)? = nil
    ) -> Variable<S> {
        var values = [Variable<S>?](repeating: nil, count: inputs.count + layers.count)
        for (k, v) in xs.enumerated() { values[k] = v }
        return objective(values: &values, recompute: [Bool](repeating: true, count: layers.count), penalized: nil,
                         parameters: parameters, targets: targets, on: tape, context: context,
                         fallback: { _ in preconditionFailure("every slot is computed") }, observe: observe)
    }

    /// Each sample's objective when the value of `source` is replaced: the layers that
    /// depend on it run again, every other value comes from `unchanged`, and the activity
    /// penalties counted are those of the recomputed layers and of `source` (a layer).
    ///
    /// This is the verifier's restart downstream of a perturbed value. `value` may hold
    /// more rows than the batch (perturbed copies stacked): `rowSource[r]` is then the
    /// original row of row `r`, and the unchanged values are gathered to match.
    ///
    /// - Parameters:
    ///   - value: the new value of `source` (for the last layer of a fused loss, its logits).
    ///   - unchanged: every slot's value on the original batch (``graphValues(parameters:inputs:context:)``).
    ///   - rowSource: the original row of each row of `value`, or `nil` when the rows are the batch's.
    ///   - targets: the targets of the rows of `value`.
    public func perSampleObjective<S: TensorScalar>(
        replacing source: GraphSource, with value: Variable<S>, unchanged: [Tensor<S>], rowSource: [Int]?,
        parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        var values = [Variable<S>?](repeating: nil, count: inputs.count + layers.count)
        values[slot(source)] = value
        var penalized: Int?
        if case let .layer(i) = source { penalized = i }
        return objective(values: &values, recompute: dependents(of: source), penalized: penalized,
                         parameters: parameters, targets: targets, on: tape, context: context,
                         fallback: { s in tape.constant(rowSource.map { unchanged[s].gatherRows($0) } ?? unchanged[s]) })
    }

    /// The per-sample objective when layer `layer`'s output is given (logits, for the last
    /// layer of a fused loss): that layer's activity penalty, the layers after it, and the
    /// loss.
    ///
    /// - Precondition: every layer after `layer` depends only on it and on later layers
    ///   (a chain, or the last layer); otherwise use
    ///   ``perSampleObjective(replacing:with:unchanged:rowSource:parameters:targets:on:context:)``.
    public func perSampleObjective<S: TensorScalar>(
        afterLayer layer: Int, output: Variable<S>, parameters: [Variable<S>], targets: Targets<S>,
        on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        perSampleObjective(replacing: .layer(layer), with: output, unchanged: [], rowSource: nil,
                           parameters: parameters, targets: targets, on: tape, context: context)
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
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public func regularization<S: TensorScalar>(parameters: [Variable<S>], on tape: Tape<S>) -> Variable<S>? {
        var total: Variable<S>?
        // Indices, not `zip`: this runs every step, unspecialised, and `zip` would look
        // up its generic metadata each time.
        for i in 0..<Swift.min(self.parameters.count, parameters.count) {
            guard let r = self.parameters[i].regularizer else { continue }
            let term = r.penalty(parameters[i], on: tape)
            total = total.map { tape.add($0, term) } ?? term
        }
        return total
    }

    /// The training loss: the mean per-sample objective plus the parameter penalties.
    ///
    /// - Parameter input: the packed batch (``inputShape``).
    public func loss<S: TensorScalar>(
        input: Variable<S>, parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        loss(inputs: splitInputs(input, on: tape), parameters: parameters, targets: targets, on: tape, context: context)
    }

    /// The training loss on the model inputs given one by one (each `[batch] + shape`).
    public func loss<S: TensorScalar>(
        inputs xs: [Variable<S>], parameters: [Variable<S>], targets: Targets<S>, on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let perSample = perSampleObjective(inputs: xs, parameters: parameters, targets: targets,
                                           on: tape, context: context)
        let mean = tape.mean(perSample)
        return regularization(parameters: parameters, on: tape).map { tape.add(mean, $0) } ?? mean
    }

    /// The loss and its gradient with respect to every trainable parameter and the inputs.
    ///
    /// - Parameters:
    ///   - parameters: the model's parameters, in model order (see ``orderedTensors(_:file:)``).
    ///   - inputs: the packed batch (``inputShape``; ``packInputs(_:)`` builds one from
    ///     several inputs).
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

    /// Every slot's value on a batch, from a forward pass without a tape record: the model
    /// inputs (split from the packed batch), then each layer's output (activated, also for
    /// a last layer whose activation the loss fuses).
    public func graphValues<S: TensorScalar>(
        parameters: [Tensor<S>], inputs batch: Tensor<S>, context: ForwardContext
    ) -> [Tensor<S>] {
        let tape = Tape<S>(recording: false)
        var values: [Variable<S>] = splitInputs(tape.constant(batch), on: tape)
        for (i, layer) in layers.enumerated() {
            let p = parameters[parameterRanges[i]].map { tape.constant($0) }
            values.append(layer.forward(inputs: layerInputs[i].map { values[slot($0)] }, p, on: tape, context: context))
        }
        return values.map { tape.value($0) }
    }

    /// The packed batch followed by every layer's output, from a forward pass without a
    /// tape record: for a chain, `activations[i]` is layer `i`'s input and
    /// `activations[i + 1]` its output.
    public func activations<S: TensorScalar>(
        parameters: [Tensor<S>], inputs batch: Tensor<S>, context: ForwardContext
    ) -> [Tensor<S>] {
        [batch] + graphValues(parameters: parameters, inputs: batch, context: context).dropFirst(inputs.count)
    }
}

/// A loss value with its gradients.
public struct LossAndGradients<Scalar: TensorScalar>: Sendable {
    /// The loss, regularisation included.
    public var loss: Scalar
    /// The gradient of the loss for each trainable parameter.
    public var parameters: ParameterSet<Scalar>
    /// The gradient of the loss with respect to the packed inputs (``Model/inputShape``;
    /// ``Model/inputGradients(_:)`` splits it by input).
    public var inputs: Tensor<Scalar>
}
